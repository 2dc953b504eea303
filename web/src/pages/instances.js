// Process instance list with filters (definition, business key, state, with incidents) and paging.
import { get, post } from '../api.js';
import { errorBox, h, pager, replace, setQuery, shortId } from '../ui.js';

const PAGE_SIZE = 20;
const INCIDENT_SCAN_LIMIT = 10000;

async function incidentsPerInstance(definitionId) {
  const incidents = await get('/incident', { processDefinitionId: definitionId || undefined, maxResults: INCIDENT_SCAN_LIMIT });
  const counts = new Map();
  for (const incident of incidents) counts.set(incident.processInstanceId, (counts.get(incident.processInstanceId) || 0) + 1);
  return counts;
}

/**
 * Render a filterable, paginated instance list into `box`. With `compact` (on a definition
 * page) the filter state stays local; otherwise it lives in the page URL.
 */
export async function instanceList(box, { definitionId = '', compact = false, query = new URLSearchParams() } = {}) {
  const state = {
    definition: definitionId || query.get('definition') || '',
    businessKey: query.get('businessKey') || '',
    state: query.get('state') || 'all',
    incidents: query.get('incidents') === 'true',
    first: Number(query.get('first') || 0),
  };
  const definitions = compact ? [] : await get('/process-definition', { sortBy: 'key', sortOrder: 'asc' });
  const results = h('div');

  function go(next) {
    Object.assign(state, next);
    if (compact) { load(); return; }
    setQuery('/instances', { ...state, first: state.first || undefined, state: state.state === 'all' ? undefined : state.state });
  }

  const definitionSelect = h('select', { name: 'definition', 'aria-label': 'Process definition' },
    h('option', { value: '' }, 'All definitions'),
    definitions.map((d) => h('option', { value: d.id, selected: d.id === state.definition }, `${d.name || d.key} (v${d.version})`)));
  const keyInput = h('input', { name: 'businessKey', value: state.businessKey, placeholder: 'contains…' });
  const stateSelect = h('select', { name: 'state' },
    ['all', 'active', 'suspended'].map((s) => h('option', { value: s, selected: s === state.state }, s)));
  const incidentsBox = h('input', { type: 'checkbox', name: 'incidents', checked: state.incidents });
  const filters = h('form', { class: 'filters', 'data-testid': 'instance-filters' },
    compact ? null : h('label', {}, 'Definition', definitionSelect),
    h('label', {}, 'Business key', keyInput),
    h('label', {}, 'State', stateSelect),
    h('label', { class: 'check' }, incidentsBox, 'With incidents'),
    h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    go({
      definition: compact ? state.definition : definitionSelect.value,
      businessKey: keyInput.value.trim(),
      state: stateSelect.value,
      incidents: incidentsBox.checked,
      first: 0,
    });
  });

  async function load() {
    replace(results, h('p', { class: 'muted' }, 'Loading…'));
    try {
      const body = {};
      if (state.definition) body.processDefinitionId = state.definition;
      if (state.businessKey) body.businessKeyLike = `%${state.businessKey}%`;
      if (state.state === 'active') body.active = true;
      if (state.state === 'suspended') body.suspended = true;
      const perInstance = await incidentsPerInstance(state.definition);
      if (state.incidents) body.processInstanceIds = [...perInstance.keys()];
      let total = 0;
      let rows = [];
      if (!state.incidents || body.processInstanceIds.length) {
        body.sorting = [{ sortBy: 'instanceId', sortOrder: 'asc' }];
        [{ count: total }, rows] = await Promise.all([
          post('/process-instance/count', body),
          post('/process-instance', body, { firstResult: state.first, maxResults: PAGE_SIZE }),
        ]);
      }
      const byId = new Map(definitions.map((d) => [d.id, d]));
      replace(results,
        h('table', { 'data-testid': 'instances' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Instance'), h('th', {}, 'Business key'),
            compact ? null : h('th', {}, 'Definition'), h('th', {}, 'State'), h('th', { class: 'num' }, 'Incidents'))),
          h('tbody', {}, rows.length ? rows.map((instance) => {
            const definition = byId.get(instance.definitionId);
            const incidents = perInstance.get(instance.id) || 0;
            return h('tr', { 'data-instance': instance.id },
              h('td', { class: 'mono' }, h('a', { href: `#/instances/${encodeURIComponent(instance.id)}`, title: instance.id }, shortId(instance.id))),
              h('td', {}, instance.businessKey || h('span', { class: 'muted' }, '—')),
              compact ? null : h('td', {}, definition ? `${definition.name || definition.key} v${definition.version}` : instance.definitionId),
              h('td', {}, instance.suspended ? h('span', { class: 'badge warn' }, 'suspended') : h('span', { class: 'badge ok' }, 'active')),
              h('td', { class: 'num' }, incidents ? h('span', { class: 'badge bad' }, incidents) : h('span', { class: 'muted' }, '0')));
          }) : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No matching process instances.')))),
        pager(state.first, PAGE_SIZE, total, (first) => go({ first })));
    } catch (error) {
      replace(results, errorBox(error));
    }
  }

  replace(box, filters, results);
  await load();
}

export async function instancesPage(container, { query }) {
  const box = h('div', { class: 'panel' });
  replace(container, h('h1', {}, 'Process instances'), h('div', { class: 'subtitle' }, 'Running instances; filter and page through them.'), box);
  await instanceList(box, { query });
}
