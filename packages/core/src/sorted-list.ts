/**
 * Index of `value` in `list`, sorted in code unit order (as validated id and group
 * lists are), or `~(where it would go)` when absent: a binary search, O(log n).
 */
export function sortedIndexOf(list: readonly string[], value: string): number {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const x = list[mid] as string;
    if (x === value) return mid;
    if (x < value) low = mid + 1;
    else high = mid - 1;
  }
  return ~low;
}
