/**
 * The entry point's typed surface must match what `import ... from 'mailport'` gives at run time:
 * every name the declarations export is either a pure type or a value that exists. A value
 * re-exported with `export type` (an internal helper swept up by `export type *`) shows up in
 * completions and then fails to compile with TS1362, and never exists at run time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ts from 'typescript';
import { repoPath } from '../helpers/repo-paths.js';

const INDEX = repoPath('src', 'index.ts');

/** The names the entry point exports, split into values (they need a runtime binding) and types. */
function declaredExports(): { values: string[]; types: string[] } {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
    noLib: true,
    types: [],
  };
  // Only Mailport's own modules matter here; skipping its dependencies' declarations keeps this fast.
  const host = ts.createCompilerHost(options);
  const readSourceFile = host.getSourceFile;
  host.getSourceFile = (fileName, ...rest) =>
    fileName.includes('/node_modules/') ? undefined : readSourceFile(fileName, ...rest);
  const program = ts.createProgram([INDEX], options, host);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol, 'src/index.ts has no module symbol');
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
  }
  return { values: values.sort(), types };
}

test('every value the declarations of `mailport` export exists at run time, and nothing else does', async () => {
  const { values, types } = declaredExports();
  const runtime = Object.keys(await import('../../src/index.js')).sort();
  assert.deepEqual(values, runtime);
  // The types users need to annotate their own variables are there by name.
  for (const name of [
    'MessageFilter',
    'MailportEvent',
    'MessageSummary',
    'SessionRecord',
    'DeliverabilityReport',
  ])
    assert.ok(types.includes(name), `${name} is not exported`);
});
