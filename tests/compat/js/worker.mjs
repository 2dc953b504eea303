// camunda-external-task-client-js, unchanged, as a worker against a Cadenza server.
//
//   node worker.mjs <engine-rest base URL> <scenarios, comma-separated> [<local file to upload>]
//
// Scenarios (one topic each; the Python test starts the instances and checks the engine):
//   complete  topic js-complete: complete with typed variables (incl. a File read from disk),
//             local variables and a transient variable
//   flaky     topic js-flaky: handleFailure with retries 1, then 0 (incident); once the test
//             has reset the retries over REST, the task is fetched again and completed
//   error     topic js-error: handleBpmnError COMPAT_ERROR with a variable
//   download  topic js-download: load() the File variable "doc" (GET /execution/{id}/localVariables/doc/data)
//
// Prints one JSON report on stdout when every scenario is done (exit 0) or after 25 s (exit 1).
// Client diagnostics go to stderr.
import { Client, File, Variables } from "camunda-external-task-client-js";

const [baseUrl, scenarioList, uploadPath] = process.argv.slice(2);
const scenarios = new Set((scenarioList ?? "").split(",").filter(Boolean));
const DEADLINE_MS = 25000;

const report = { errors: [] };
const done = new Set();

function finish(code) {
  client.stop();
  process.stdout.write(JSON.stringify({ ...report, done: [...done] }) + "\n");
  process.exit(code);
}

function markDone(scenario) {
  done.add(scenario);
  if ([...scenarios].every((s) => done.has(s))) {
    finish(0);
  }
}

function describeError(where, e) {
  return { where, message: String(e?.message ?? e), type: e?.type ?? null, code: e?.code ?? null };
}

const client = new Client({
  baseUrl,
  workerId: "js-worker",
  maxTasks: 1,
  interval: 50,
  asyncResponseTimeout: 1000,
  lockDuration: 10000,
  autoPoll: false,
});
client.on("poll:error", (e) => {
  report.errors.push(describeError("poll", e));
  process.stderr.write(`poll:error ${e?.stack ?? e}\n`);
});
client.on("handler:error", (e) => {
  report.errors.push(describeError("handler", e));
  process.stderr.write(`handler:error ${e?.stack ?? e}\n`);
});

if (scenarios.has("complete")) {
  client.subscribe("js-complete", async ({ task, taskService }) => {
    const file = await new File({ localPath: uploadPath, mimetype: "text/plain" }).load();
    const variables = new Variables()
      .set("approved", true)
      .set("count", 7)
      .set("big", 2 ** 40)
      .set("ratio", 0.25)
      .set("note", "from js")
      .set("nothing", null)
      .set("meta", { a: 1, tags: ["x", "y"] })
      .set("when", new Date("2024-01-02T03:04:05.000Z"))
      .set("doc", file)
      .setTransient("ephemeral", "not stored");
    const localVariables = new Variables().set("scratch", "local");
    report.complete = {
      taskId: task.id,
      processInstanceId: task.processInstanceId,
      activityId: task.activityId,
      received: task.variables.getAll(),
      receivedTypes: Object.fromEntries(
        Object.entries(task.variables.getAllTyped()).map(([name, typed]) => [name, typed.type]),
      ),
    };
    await taskService.complete(task, variables, localVariables);
    markDone("complete");
  });
}

if (scenarios.has("flaky")) {
  const attempts = new Map();
  report.flaky = { failures: [], completed: null };
  client.subscribe("js-flaky", async ({ task, taskService }) => {
    const attempt = (attempts.get(task.id) ?? 0) + 1;
    attempts.set(task.id, attempt);
    if (attempt <= 2) {
      const retries = 2 - attempt; // 1, then 0: the second failure raises the incident
      await taskService.handleFailure(task, {
        errorMessage: "js boom",
        errorDetails: `attempt ${attempt}`,
        retries,
        retryTimeout: 200,
      });
      report.flaky.failures.push({ fetchedRetries: task.retries, sentRetries: retries });
      return;
    }
    await taskService.complete(task, new Variables().set("recovered", true));
    report.flaky.completed = { taskId: task.id, fetchedRetries: task.retries };
    markDone("flaky");
  });
}

if (scenarios.has("error")) {
  client.subscribe("js-error", async ({ task, taskService }) => {
    await taskService.handleBpmnError(
      task,
      "COMPAT_ERROR",
      "rejected by js",
      new Variables().set("reason", "js says no"),
    );
    report.error = { taskId: task.id, processInstanceId: task.processInstanceId };
    markDone("error");
  });
}

if (scenarios.has("download")) {
  client.subscribe("js-download", async ({ task, taskService }) => {
    const file = await task.variables.get("doc").load();
    report.download = { filename: file.filename, content: file.content.toString("utf-8") };
    await taskService.complete(task);
    markDone("download");
  });
}

setTimeout(() => {
  report.timedOut = true;
  finish(1);
}, DEADLINE_MS);
client.start();
