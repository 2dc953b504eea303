// One process instance: diagram with active activities, variables, incidents, actions.
import { RestError, del, get, put } from '../api.js';
import { showDiagram } from '../diagram.js';
import { act, formatDate, h, replace, shortId, toast } from '../ui.js';
import { TYPES, displayValue, isEditable, readInput, valueInput } from '../variables.js';
import { incidentTable } from './incidents.js';

function leaves(tree) {
  const found = [];
  (function walk(node) {
    if (node.activityType !== 'processDefinition') found.push(node);
    for (const child of node.childActivityInstances) walk(child);
  })(tree);
  return found;
}

function treeList(node) {
  const incidents = node.incidentIds && node.incidentIds.length ? h('span', { class: 'badge bad' }, `${node.incidentIds.length} incident(s)`) : null;
  return h('li', {},
    h('span', {}, node.activityName || node.activityId, ' ', h('span', { class: 'muted mono' }, `${node.activityType} · ${shortId(node.id)}`), ' ', incidents),
    node.childActivityInstances.length ? h('ul', {}, node.childActivityInstances.map(treeList)) : null);
}

/** Probe the suspension endpoint without changing anything (re-state the current state). */
async function suspensionSupported(instance) {
  try {
    await put(`/process-instance/${encodeURIComponent(instance.id)}/suspended`, { suspended: instance.suspended });
    return true;
  } catch (error) {
    return !(error instanceof RestError && (error.status === 404 || error.status === 405));
  }
}

function variablesPanel(box, instanceId, onChanged) {
  const base = `/process-instance/${encodeURIComponent(instanceId)}/variables`;

  async function save(name, input, button) {
    await act(button, async () => {
      await put(`${base}/${encodeURIComponent(name)}`, readInput(input));
      toast(`Variable ${name} saved`);
      await load();
      onChanged();
    });
  }

  function editorRow(name, variable) {
    const type = variable.type === 'Short' || variable.type === 'Null' ? 'String' : variable.type;
    const input = valueInput(type, variable.value, { 'aria-label': `Value of ${name}` });
    const saveButton = h('button', { class: 'small primary' }, 'Save');
    const row = h('tr', { 'data-variable': name },
      h('td', { class: 'mono' }, name), h('td', {}, type), h('td', {}, input),
      h('td', {}, h('div', { class: 'actions' }, saveButton, h('button', { class: 'small', onclick: () => load() }, 'Cancel'))));
    saveButton.addEventListener('click', () => save(name, input, saveButton));
    return row;
  }

  async function load() {
    const variables = await get(base, { deserializeValues: false });
    const names = Object.keys(variables).sort();
    const rows = names.map((name) => {
      const variable = variables[name];
      const editButton = h('button', { class: 'small', disabled: !isEditable(variable.type), title: isEditable(variable.type) ? '' : `${variable.type} values are read-only here` }, 'Edit');
      const deleteButton = h('button', { class: 'small danger' }, 'Delete');
      const row = h('tr', { 'data-variable': name },
        h('td', { class: 'mono' }, name), h('td', {}, variable.type), h('td', { 'data-testid': 'variable-value' }, displayValue(variable)),
        h('td', {}, h('div', { class: 'actions' }, editButton, deleteButton)));
      editButton.addEventListener('click', () => row.replaceWith(editorRow(name, variable)));
      deleteButton.addEventListener('click', () => {
        if (!window.confirm(`Delete variable ${name}?`)) return;
        act(deleteButton, async () => { await del(`${base}/${encodeURIComponent(name)}`); await load(); onChanged(); }, `Variable ${name} deleted`);
      });
      return row;
    });

    const nameInput = h('input', { placeholder: 'name', 'aria-label': 'New variable name' });
    const typeSelect = h('select', { 'aria-label': 'New variable type' }, TYPES.map((t) => h('option', { value: t }, t)));
    let valueBox = h('span', {}, valueInput('String', '', { 'aria-label': 'New variable value' }));
    typeSelect.addEventListener('change', () => {
      const next = h('span', {}, valueInput(typeSelect.value, '', { 'aria-label': 'New variable value' }));
      valueBox.replaceWith(next);
      valueBox = next;
    });
    const addButton = h('button', { class: 'primary' }, 'Add variable');
    addButton.addEventListener('click', () => {
      const name = nameInput.value.trim();
      if (!name) { toast('Give the variable a name', 'error'); return; }
      if (variables[name]) { toast(`${name} exists: edit it instead`, 'error'); return; }
      const input = valueBox.firstChild;
      save(name, input, addButton);
    });
    replace(box,
      h('table', { 'data-testid': 'variables' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Type'), h('th', {}, 'Value'), h('th', {}, ''))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No variables.')))),
      h('h2', { style: 'margin-top: 16px' }, 'Add a variable'),
      h('div', { class: 'actions', 'data-testid': 'add-variable' }, nameInput, typeSelect, valueBox, addButton));
  }
  return load();
}

export async function instancePage(container, { params, isCurrent }) {
  const [instanceId] = params;
  const path = `/process-instance/${encodeURIComponent(instanceId)}`;
  let instance;
  try {
    instance = await get(path);
  } catch (error) {
    if (error instanceof RestError && error.status === 404) {
      replace(container, h('div', { class: 'panel' }, h('h1', {}, 'Instance not running'),
        h('p', {}, `Process instance ${instanceId} has ended or was never started.`), h('a', { href: '#/instances' }, '← Instances')));
      return undefined;
    }
    throw error;
  }
  const [definition, xml, canSuspend] = await Promise.all([
    get(`/process-definition/${encodeURIComponent(instance.definitionId)}`),
    get(`/process-definition/${encodeURIComponent(instance.definitionId)}/xml`),
    suspensionSupported(instance),
  ]);
  if (!isCurrent()) return undefined;

  const diagramBox = h('div', { class: 'diagram', 'data-testid': 'diagram' });
  const treeBox = h('div', { class: 'tree' });
  const variablesBox = h('div');
  const incidentsBox = h('div');
  const tasksBox = h('div');
  const sections = { Variables: variablesBox, Incidents: incidentsBox, 'User tasks': tasksBox, 'Activity instances': treeBox };
  const tabButtons = Object.keys(sections).map((name) => h('button', { 'data-tab': name }, name));
  function showTab(name) {
    for (const button of tabButtons) button.classList.toggle('active', button.dataset.tab === name);
    for (const [key, box] of Object.entries(sections)) box.hidden = key !== name;
  }
  for (const button of tabButtons) button.addEventListener('click', () => showTab(button.dataset.tab));

  const suspendButton = h('button', {
    'data-testid': 'suspend',
    disabled: !canSuspend,
    title: canSuspend ? '' : 'This server does not support suspending instances yet (PUT /process-instance/{id}/suspended)',
  }, instance.suspended ? 'Resume' : 'Suspend');
  suspendButton.addEventListener('click', () => act(suspendButton, async () => {
    await put(`${path}/suspended`, { suspended: !instance.suspended });
    instance.suspended = !instance.suspended;
    suspendButton.textContent = instance.suspended ? 'Resume' : 'Suspend';
    stateBadge.replaceWith(stateBadge = badge());
  }, instance.suspended ? 'Instance resumed' : 'Instance suspended'));
  const cancelButton = h('button', { class: 'danger', 'data-testid': 'cancel-instance' }, 'Cancel instance');
  cancelButton.addEventListener('click', () => {
    if (!window.confirm('Cancel this process instance? Its tasks and variables are removed.')) return;
    act(cancelButton, async () => {
      await del(path);
      location.hash = `#/processes/${encodeURIComponent(instance.definitionId)}`;
    }, 'Instance cancelled');
  });
  const badge = () => (instance.suspended ? h('span', { class: 'badge warn' }, 'suspended') : h('span', { class: 'badge ok' }, 'active'));
  let stateBadge = badge();

  replace(container,
    h('div', { class: 'actions' }, h('a', { href: `#/processes/${encodeURIComponent(definition.id)}` }, `← ${definition.name || definition.key}`)),
    h('div', { class: 'actions', style: 'justify-content: space-between' },
      h('div', {},
        h('h1', {}, 'Instance ', h('span', { class: 'mono', 'data-testid': 'instance-id' }, instance.id), ' ', stateBadge),
        h('div', { class: 'subtitle' }, `${definition.name || definition.key} v${definition.version}`,
          instance.businessKey ? ` · business key ${instance.businessKey}` : '')),
      h('div', { class: 'actions' }, suspendButton, cancelButton)),
    h('div', { class: 'panel' }, diagramBox),
    h('div', { class: 'panel' }, h('div', { class: 'tabs' }, tabButtons), variablesBox, incidentsBox, tasksBox, treeBox));
  showTab('Variables');

  const diagram = await showDiagram(diagramBox, xml.bpmn20Xml);

  async function refreshState() {
    let tree;
    try {
      tree = await get(`${path}/activity-instances`);
    } catch (error) {
      if (error instanceof RestError && error.status === 404) { toast('The instance has ended'); location.hash = '#/instances'; return; }
      throw error;
    }
    const active = leaves(tree);
    const incidentIds = new Set(active.filter((ai) => ai.incidentIds.length).map((ai) => ai.activityId));
    if (diagram) {
      const canvas = diagram.viewer.get('canvas');
      for (const element of diagram.viewer.get('elementRegistry').getAll()) {
        canvas.removeMarker(element.id, 'active-activity');
        canvas.removeMarker(element.id, 'incident-activity');
      }
      diagram.markActive(new Set(active.map((ai) => ai.activityId)), incidentIds);
      const counts = new Map();
      for (const ai of active) {
        const entry = counts.get(ai.activityId) || { instances: 0, incidents: 0 };
        if (!ai.childActivityInstances.length) entry.instances += 1;
        entry.incidents += ai.incidentIds.length;
        counts.set(ai.activityId, entry);
      }
      diagram.showCounts(counts);
    }
    diagramBox.dataset.active = active.map((ai) => ai.activityId).join(' ');
    replace(treeBox, h('ul', {}, treeList(tree)));
    const tasks = await get('/task', { processInstanceId: instance.id });
    replace(tasksBox, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, 'Task'), h('th', {}, 'Assignee'), h('th', {}, 'Created'), h('th', {}, ''))),
      h('tbody', {}, tasks.length ? tasks.map((task) => h('tr', {},
        h('td', {}, task.name || task.taskDefinitionKey), h('td', {}, task.assignee || h('span', { class: 'muted' }, 'unassigned')),
        h('td', {}, formatDate(task.created)), h('td', {}, h('a', { href: `#/tasks/${encodeURIComponent(task.id)}?filter=all` }, 'Open in Tasklist'))))
        : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No open user tasks.')))));
    const incidentTab = tabButtons.find((b) => b.dataset.tab === 'Incidents');
    const total = active.reduce((n, ai) => n + ai.incidentIds.length, 0) + tree.incidentIds.length;
    incidentTab.textContent = total ? `Incidents (${total})` : 'Incidents';
  }

  await Promise.all([
    refreshState(),
    variablesPanel(variablesBox, instance.id, () => {}),
    incidentTable(incidentsBox, { filter: { processInstanceId: instance.id }, showInstance: false, onChanged: () => refreshState() }),
  ]);
  return () => diagram && diagram.destroy();
}
