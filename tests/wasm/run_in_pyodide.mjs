// Run Python in real Pyodide under Node, fully offline: the runtime from a local folder, every
// package from a local lockfile and wheel folder, the project's files copied into Pyodide's file
// system. Usage:
//   node run_in_pyodide.mjs <runtime dir> <lockfile> <wheel dir> <files.json> <code.py>
// files.json maps a path inside Pyodide to a path on this machine. The code's last expression
// must be an int: it becomes the exit code (pytest.main's, for instance).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [runtime, lockPath, wheelDir, filesPath, codePath] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(runtime, "pyodide.mjs")).href);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const pyodide = await loadPyodide({
  indexURL: runtime + path.sep,
  lockFileContents: lock,
  packageBaseUrl: wheelDir + path.sep,
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
});
const failures = [];
await pyodide.loadPackage(Object.keys(lock.packages), {
  messageCallback: () => {},
  errorCallback: (message) => failures.push(message),
});
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(3);
}
for (const [inside, outside] of Object.entries(JSON.parse(readFileSync(filesPath, "utf8")))) {
  pyodide.FS.mkdirTree(path.posix.dirname(inside));
  pyodide.FS.writeFile(inside, readFileSync(outside));
}
try {
  const code = await pyodide.runPythonAsync(readFileSync(codePath, "utf8"));
  process.exit(Number(code));
} catch (error) {
  // A Python exception: its traceback, without the JavaScript stack around it.
  console.error(error.message);
  process.exit(4);
}
