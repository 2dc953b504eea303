// Cockpit start page: deployed process definitions with running instances and incidents.
import { get } from '../api.js';
import { h, pager, replace } from '../ui.js';

const PAGE_SIZE = 20;

function incidentCount(stats) {
  return stats.incidents.reduce((sum, item) => sum + item.incidentCount, 0);
}

export async function processesPage(container) {
  const [stats, openTasks] = await Promise.all([
    get('/process-definition/statistics', { incidents: true }),
    get('/task/count'),
  ]);
  const instances = stats.reduce((sum, s) => sum + s.instances, 0);
  const incidents = stats.reduce((sum, s) => sum + incidentCount(s), 0);
  const tableBox = h('div');
  let first = 0;

  function drawTable() {
    const rows = stats.slice(first, first + PAGE_SIZE).map((s) => {
      const count = incidentCount(s);
      return h('tr', { 'data-definition': s.id },
        h('td', {}, h('a', { href: `#/processes/${encodeURIComponent(s.id)}` }, s.definition.name || s.definition.key)),
        h('td', { class: 'mono' }, s.definition.key),
        h('td', { class: 'num' }, s.definition.version),
        h('td', { class: 'num' }, h('a', { href: `#/instances?definition=${encodeURIComponent(s.id)}` }, s.instances)),
        h('td', { class: 'num' }, count
          ? h('a', { href: `#/incidents?definition=${encodeURIComponent(s.id)}` }, h('span', { class: 'badge bad' }, count))
          : h('span', { class: 'muted' }, '0')),
        h('td', {}, s.definition.suspended ? h('span', { class: 'badge warn' }, 'suspended') : h('span', { class: 'badge ok' }, 'active')));
    });
    replace(tableBox,
      h('table', { 'data-testid': 'definitions' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Key'), h('th', { class: 'num' }, 'Version'),
          h('th', { class: 'num' }, 'Running instances'), h('th', { class: 'num' }, 'Incidents'), h('th', {}, 'State'))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'Nothing deployed yet. Deploy a BPMN file with POST /engine-rest/deployment/create or `cadenza deploy`.')))),
      pager(first, PAGE_SIZE, stats.length, (next) => { first = next; drawTable(); }));
  }

  drawTable();
  replace(container,
    h('h1', {}, 'Processes'),
    h('div', { class: 'subtitle' }, 'Deployed process definitions and what is running on them.'),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'value', 'data-testid': 'definition-count' }, stats.length), h('div', { class: 'label' }, 'Process definitions')),
      h('div', { class: 'card' }, h('div', { class: 'value', 'data-testid': 'instance-count' }, instances), h('div', { class: 'label' }, 'Running instances')),
      h('div', { class: `card${incidents ? ' bad' : ''}` }, h('div', { class: 'value', 'data-testid': 'incident-count' }, incidents), h('div', { class: 'label' }, h('a', { href: '#/incidents' }, 'Open incidents'))),
      h('div', { class: 'card' }, h('div', { class: 'value' }, openTasks.count), h('div', { class: 'label' }, h('a', { href: '#/tasks' }, 'Open user tasks')))),
    h('div', { class: 'panel' }, tableBox));
}
