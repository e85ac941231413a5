// The migration files under sql/ are bundled as text by tsup's `.sql` loader.
declare module '*.sql' {
  const text: string;
  export default text;
}
