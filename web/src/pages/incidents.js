// Incidents: message, error details, and the fix (set retries), one at a time or in a batch.
import { get, put } from '../api.js';
import { act, errorBox, formatDate, h, inParallel, pager, progressBar, replace, setQuery, shortId, toast } from '../ui.js';

const PAGE_SIZE = 20;

function retriable(incident) {
  return incident.incidentType === 'failedExternalTask' && incident.configuration;
}

async function setRetries(incident, retries) {
  await put(`/external-task/${encodeURIComponent(incident.configuration)}/retries`, { retries });
}

/**
 * An incident table into `box`, filtered by `filter` (GET /incident parameters).
 * `onChanged` runs after retries fixed something (the caller refreshes its other parts).
 */
export async function incidentTable(box, { filter = {}, showInstance = true, onChanged = () => {}, first: initialFirst = 0, onPage } = {}) {
  let first = initialFirst;
  const selected = new Set();
  const progressBox = h('span'); // kept across reloads: the last batch's result stays visible

  async function load() {
    let incidents;
    let total;
    try {
      [incidents, { count: total }] = await Promise.all([
        get('/incident', { ...filter, firstResult: first, maxResults: PAGE_SIZE, sortBy: 'incidentTimestamp', sortOrder: 'desc' }),
        get('/incident/count', filter),
      ]);
    } catch (error) {
      replace(box, errorBox(error));
      return;
    }
    selected.clear();
    const retriesInput = h('input', { type: 'number', min: '0', value: '1', style: 'width: 70px', 'aria-label': 'Retries for selected' });
    const batchButton = h('button', { class: 'primary', disabled: true, 'data-testid': 'batch-retry' }, 'Set retries for selected');
    const selectAll = h('input', { type: 'checkbox', 'aria-label': 'Select all incidents' });
    const boxes = [];

    function refreshBatch() {
      batchButton.disabled = selected.size === 0;
      batchButton.textContent = `Set retries for selected (${selected.size})`;
      selectAll.checked = boxes.length > 0 && boxes.every((b) => b.checked);
    }
    selectAll.addEventListener('change', () => {
      const checked = selectAll.checked;
      for (const b of boxes) {
        b.checked = checked;
        if (checked) selected.add(b.dataset.incident); else selected.delete(b.dataset.incident);
      }
      refreshBatch();
    });
    batchButton.addEventListener('click', async () => {
      const retries = Number(retriesInput.value);
      if (!Number.isInteger(retries) || retries < 0) { toast('Retries must be a whole number ≥ 0', 'error'); return; }
      const chosen = incidents.filter((i) => selected.has(i.id));
      const progress = progressBar();
      replace(progressBox, progress.element);
      batchButton.disabled = true;
      let done = 0;
      let failed = 0;
      progress.update(0, chosen.length, 0);
      await inParallel(chosen, 4, (incident) => setRetries(incident, retries), (incident, error) => {
        done += 1;
        if (error) { failed += 1; toast(`${shortId(incident.id)}: ${error.message}`, 'error'); }
        progress.update(done, chosen.length, failed);
      });
      toast(`Retries set on ${done - failed} of ${chosen.length} external tasks`);
      await load();
      onChanged();
    });

    const rows = incidents.map((incident) => {
      const check = h('input', { type: 'checkbox', disabled: !retriable(incident), 'aria-label': `Select incident ${incident.id}`, dataset: { incident: incident.id } });
      if (retriable(incident)) boxes.push(check);
      check.addEventListener('change', () => {
        if (check.checked) selected.add(incident.id); else selected.delete(incident.id);
        refreshBatch();
      });
      const details = h('tr', { hidden: true }, h('td', { colspan: showInstance ? 7 : 6 }, h('pre', { 'data-testid': 'error-details' }, 'Loading…')));
      const detailsButton = h('button', { class: 'small', disabled: !retriable(incident) }, 'Error details');
      detailsButton.addEventListener('click', async () => {
        details.hidden = !details.hidden;
        if (details.hidden) return;
        try {
          const text = await get(`/external-task/${encodeURIComponent(incident.configuration)}/errorDetails`);
          details.querySelector('pre').textContent = text || '(no error details)';
        } catch (error) {
          details.querySelector('pre').textContent = `Could not load the error details: ${error.message}`;
        }
      });
      const retries = h('input', { type: 'number', min: '0', value: '1', style: 'width: 60px', 'aria-label': 'Retries' });
      const retryButton = h('button', { class: 'small primary', disabled: !retriable(incident), title: retriable(incident) ? 'PUT /external-task/{id}/retries' : 'Only failed external tasks can be retried here' }, 'Retry');
      retryButton.addEventListener('click', () => act(retryButton, async () => {
        await setRetries(incident, Number(retries.value));
        toast('Retries set');
        await load();
        onChanged();
      }));
      return [
        h('tr', { 'data-incident': incident.id },
          h('td', {}, check),
          h('td', {}, h('span', { class: 'badge bad' }, incident.incidentType)),
          h('td', { class: 'mono' }, incident.activityId || ''),
          h('td', { 'data-testid': 'incident-message' }, incident.incidentMessage || h('span', { class: 'muted' }, '(no message)')),
          h('td', {}, formatDate(incident.incidentTimestamp)),
          showInstance ? h('td', { class: 'mono' }, h('a', { href: `#/instances/${encodeURIComponent(incident.processInstanceId)}` }, shortId(incident.processInstanceId))) : null,
          h('td', {}, h('div', { class: 'actions' }, detailsButton, retries, retryButton))),
        details,
      ];
    });
    replace(box,
      h('div', { class: 'actions', style: 'margin-bottom: 8px' }, 'Retries', retriesInput, batchButton, progressBox),
      h('table', { 'data-testid': 'incidents' },
        h('thead', {}, h('tr', {}, h('th', {}, selectAll), h('th', {}, 'Type'), h('th', {}, 'Activity'), h('th', {}, 'Message'),
          h('th', {}, 'Since'), showInstance ? h('th', {}, 'Instance') : null, h('th', {}, 'Fix'))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No open incidents.')))),
      pager(first, PAGE_SIZE, total, (next) => {
        first = next;
        if (onPage) onPage(next); else load();
      }));
    refreshBatch();
  }

  await load();
  return { reload: load };
}

export async function incidentsPage(container, { query }) {
  const definition = query.get('definition') || undefined;
  const box = h('div', { class: 'panel' });
  replace(container,
    h('h1', {}, 'Incidents'),
    h('div', { class: 'subtitle' }, definition ? `Open incidents of ${definition}` : 'Open incidents of all process instances.'),
    box);
  await incidentTable(box, {
    filter: { processDefinitionId: definition },
    first: Number(query.get('first') || 0),
    onPage: (first) => setQuery('/incidents', { definition, first: first || undefined }),
  });
}
