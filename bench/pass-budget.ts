/** The pass-budget benchmark (in progress). */
export async function runPassBudget(argv: readonly string[], out: NodeJS.WritableStream): Promise<void> {
  void argv;
  out.write('pass-budget: not written yet\n');
}
