// Tasklist: my / group / all tasks, claim and unclaim, a generated form, complete, BPMN error.
import { get, post } from '../api.js';
import { formFields } from '../diagram.js';
import { identity } from '../identity.js';
import { act, errorBox, formatDate, h, pager, replace, setQuery, toast } from '../ui.js';
import { readInput, typeOfFormField, valueInput } from '../variables.js';

const PAGE_SIZE = 15;
const FILTERS = { mine: 'My tasks', group: 'Group tasks', all: 'All tasks' };

function taskQuery(filter, me, extra) {
  const query = { sortBy: 'created', sortOrder: 'desc' };
  if (filter === 'mine') query.assignee = me.user;
  if (filter === 'group') query.candidateGroups = me.groups.join(',');
  if (extra.name) query.nameLike = `%${extra.name}%`;
  if (extra.process) query.processDefinitionKey = extra.process;
  return query;
}

async function taskForm(box, task, me, onDone) {
  const [formVariables, xml] = await Promise.all([
    get(`/task/${encodeURIComponent(task.id)}/form-variables`, { deserializeValues: false }),
    get(`/process-definition/${encodeURIComponent(task.processDefinitionId)}/xml`).catch(() => null),
  ]);
  const mine = task.assignee && task.assignee === me.user;
  const fields = [];
  const declared = xml ? formFields(xml.bpmn20Xml, task.taskDefinitionKey) : [];
  for (const field of declared) {
    const type = typeOfFormField(field.type);
    const current = formVariables[field.id];
    const value = current ? current.value : field.type === 'boolean' ? field.defaultValue === 'true' : field.defaultValue;
    fields.push({ name: field.id, label: field.label, type, value });
  }
  for (const [name, variable] of Object.entries(formVariables).sort(([a], [b]) => a.localeCompare(b))) {
    if (fields.some((f) => f.name === name)) continue;
    const type = ['Integer', 'Long', 'Double', 'Boolean', 'Date', 'Json', 'String'].includes(variable.type) ? variable.type : null;
    if (type) fields.push({ name, label: name, type, value: variable.value });
  }
  const inputs = new Map();
  const rows = fields.map((field) => {
    const input = valueInput(field.type, field.value, { name: field.name, disabled: !mine, 'aria-label': field.label });
    inputs.set(field.name, input);
    return h('label', {}, `${field.label} (${field.type})`, input);
  });

  function collect() {
    const variables = {};
    for (const [name, input] of inputs) {
      if (input.value === '' && input.dataset.type !== 'String') continue;
      variables[name] = readInput(input);
    }
    return variables;
  }

  const completeButton = h('button', { class: 'primary', disabled: !mine, 'data-testid': 'complete' }, 'Complete');
  completeButton.addEventListener('click', () => act(completeButton, async () => {
    await post(`/task/${encodeURIComponent(task.id)}/complete`, { variables: collect() });
    toast(`Task “${task.name || task.taskDefinitionKey}” completed`);
    onDone();
  }));
  const errorCode = h('input', { placeholder: 'errorCode', 'aria-label': 'Error code', disabled: !mine });
  const errorMessage = h('input', { placeholder: 'message', 'aria-label': 'Error message', disabled: !mine });
  const errorButton = h('button', { class: 'danger', disabled: !mine }, 'Report BPMN error');
  errorButton.addEventListener('click', () => {
    if (!errorCode.value.trim()) { toast('An error code is required', 'error'); return; }
    act(errorButton, async () => {
      await post(`/task/${encodeURIComponent(task.id)}/bpmnError`, {
        errorCode: errorCode.value.trim(), errorMessage: errorMessage.value || undefined, variables: collect(),
      });
      toast(`BPMN error ${errorCode.value.trim()} reported`);
      onDone();
    });
  });
  replace(box,
    mine ? null : h('p', { class: 'muted' }, 'Claim the task to work on it.'),
    h('form', { class: 'form', 'data-testid': 'task-form', onsubmit: (event) => event.preventDefault() },
      rows.length ? rows : h('p', { class: 'muted' }, 'This task has no form fields.'),
      h('div', { class: 'actions' }, completeButton)),
    h('h2', { style: 'margin-top: 20px' }, 'Report a BPMN error'),
    h('div', { class: 'actions' }, errorCode, errorMessage, errorButton));
}

async function taskDetail(box, taskId, me, reloadList) {
  let task;
  try {
    task = await get(`/task/${encodeURIComponent(taskId)}`);
  } catch (error) {
    replace(box, errorBox(error));
    return;
  }
  const links = await get(`/task/${encodeURIComponent(taskId)}/identity-links`).catch(() => []);
  const groups = links.filter((l) => l.type === 'candidate' && l.groupId).map((l) => l.groupId);
  const refresh = async () => { await taskDetail(box, taskId, me, reloadList); reloadList(); };
  const claim = h('button', { class: 'primary', 'data-testid': 'claim' }, 'Claim');
  claim.addEventListener('click', () => act(claim, async () => {
    await post(`/task/${encodeURIComponent(taskId)}/claim`, { userId: me.user });
    await refresh();
  }, 'Task claimed'));
  const unclaim = h('button', { 'data-testid': 'unclaim' }, 'Unclaim');
  unclaim.addEventListener('click', () => act(unclaim, async () => {
    await post(`/task/${encodeURIComponent(taskId)}/unclaim`);
    await refresh();
  }, 'Task unclaimed'));
  const formBox = h('div');
  replace(box,
    h('div', { class: 'actions', style: 'justify-content: space-between' },
      h('div', {},
        h('h2', { 'data-testid': 'task-name' }, task.name || task.taskDefinitionKey),
        h('div', { class: 'muted' },
          'Created ', formatDate(task.created), ' · ',
          h('a', { href: `#/instances/${encodeURIComponent(task.processInstanceId)}` }, 'process instance'),
          groups.length ? ` · candidate groups: ${groups.join(', ')}` : '')),
      h('div', { class: 'actions' },
        h('span', { 'data-testid': 'assignee' }, task.assignee ? `Assigned to ${task.assignee}` : 'Unassigned'),
        task.assignee ? unclaim : claim)),
    h('hr'),
    formBox);
  await taskForm(formBox, task, me, () => {
    setQuery('/tasks', Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || '')));
  });
}

export async function tasksPage(container, { params, query }) {
  const me = identity();
  const filter = FILTERS[query.get('filter')] ? query.get('filter') : 'mine';
  const extra = { name: query.get('name') || '', process: query.get('process') || '' };
  let first = Number(query.get('first') || 0);
  const [selectedId] = params;
  const listBox = h('div', { class: 'list' });
  const detailBox = h('div', { class: 'panel', 'data-testid': 'task-detail' },
    h('p', { class: 'muted' }, 'Select a task.'));
  const keep = (changes) => ({ filter, name: extra.name, process: extra.process, first: first || undefined, ...changes });

  const tabs = h('div', { class: 'tabs' }, Object.entries(FILTERS).map(([key, label]) => h('button', {
    class: key === filter ? 'active' : '', 'data-filter': key,
    onclick: () => setQuery('/tasks', { filter: key, name: extra.name, process: extra.process }),
  }, label)));
  const nameInput = h('input', { value: extra.name, placeholder: 'name contains…', 'aria-label': 'Task name' });
  const processInput = h('input', { value: extra.process, placeholder: 'process key', 'aria-label': 'Process definition key', size: 12 });
  const filters = h('form', { class: 'filters' }, nameInput, processInput, h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    setQuery('/tasks', { filter, name: nameInput.value.trim(), process: processInput.value.trim() });
  });

  async function loadList() {
    if (filter === 'mine' && !me.user) { replace(listBox, h('p', { class: 'muted' }, 'Enter your user id in the top bar.')); return; }
    if (filter === 'group' && !me.groups.length) { replace(listBox, h('p', { class: 'muted' }, 'Enter your groups in the top bar.')); return; }
    const q = taskQuery(filter, me, extra);
    try {
      const [tasks, { count }] = await Promise.all([
        get('/task', { ...q, firstResult: first, maxResults: PAGE_SIZE }),
        get('/task/count', q),
      ]);
      replace(listBox,
        h('table', { 'data-testid': 'tasks' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Task'), h('th', {}, 'Assignee'), h('th', {}, 'Created'))),
          h('tbody', {}, tasks.length ? tasks.map((task) => h('tr', {
            class: task.id === selectedId ? 'selected' : '', 'data-task': task.id,
            onclick: () => setQuery(`/tasks/${encodeURIComponent(task.id)}`, keep({})),
          },
          h('td', {}, h('a', { href: `#/tasks/${encodeURIComponent(task.id)}?${new URLSearchParams(Object.entries(keep({})).filter(([, v]) => v))}` }, task.name || task.taskDefinitionKey)),
          h('td', {}, task.assignee || h('span', { class: 'muted' }, '—')),
          h('td', {}, formatDate(task.created)))) : h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No tasks.')))),
        pager(first, PAGE_SIZE, count, (next) => { first = next; loadList(); }));
    } catch (error) {
      replace(listBox, errorBox(error));
    }
  }

  replace(container,
    h('h1', {}, 'Tasklist'),
    h('div', { class: 'subtitle' }, `Working as ${me.user || '(nobody)'}${me.groups.length ? ` in ${me.groups.join(', ')}` : ''}.`),
    h('div', { class: 'tasklist' }, h('div', { class: 'panel' }, tabs, filters, listBox), detailBox));
  await Promise.all([loadList(), selectedId ? taskDetail(detailBox, selectedId, me, loadList) : null]);
}
