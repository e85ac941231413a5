import { budgetFromEnv } from './budget.js';
import { runEvaluationSection } from './evaluation/evaluation-section.js';
import { Report } from './harness/report.js';

const budget = budgetFromEnv();
const report = new Report();
await runEvaluationSection(report, budget);
console.log(report.write({ budget }));
process.exit(0);
