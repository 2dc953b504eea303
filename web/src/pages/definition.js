// A process definition: its diagram with running instances and incidents per activity.
import { get, post } from '../api.js';
import { showDiagram } from '../diagram.js';
import { act, h, replace } from '../ui.js';
import { instanceList } from './instances.js';

export async function definitionPage(container, { params, isCurrent }) {
  const [definitionId] = params;
  const path = `/process-definition/${encodeURIComponent(definitionId)}`;
  const [definition, xml, stats] = await Promise.all([
    get(path),
    get(`${path}/xml`),
    get(`${path}/statistics`, { incidents: true }),
  ]);
  if (!isCurrent()) return undefined;
  const diagramBox = h('div', { class: 'diagram', 'data-testid': 'diagram' });
  const listBox = h('div');
  const businessKey = h('input', { placeholder: 'business key (optional)', 'aria-label': 'Business key' });
  const startButton = h('button', { class: 'primary' }, 'Start instance');
  startButton.addEventListener('click', () => act(startButton, async () => {
    const started = await post(`${path}/start`, { businessKey: businessKey.value || undefined });
    location.hash = `#/instances/${encodeURIComponent(started.id)}`;
  }));
  const running = stats.reduce((sum, s) => sum + s.instances, 0);
  const incidents = stats.reduce((sum, s) => sum + s.incidents.reduce((n, i) => n + i.incidentCount, 0), 0);
  replace(container,
    h('div', { class: 'actions' }, h('a', { href: '#/processes' }, '← Processes')),
    h('h1', {}, definition.name || definition.key),
    h('div', { class: 'subtitle' },
      `Key ${definition.key} · version ${definition.version} · `,
      h('span', { class: 'mono' }, definition.id),
      definition.suspended ? h('span', { class: 'badge warn' }, ' suspended') : null),
    h('div', { class: 'panel' },
      h('div', { class: 'actions', style: 'justify-content: space-between; margin-bottom: 10px' },
        h('div', {}, h('span', { class: 'badge' }, `${running} running activity instances`), ' ',
          incidents ? h('span', { class: 'badge bad' }, `${incidents} incidents`) : null),
        h('div', { class: 'actions' }, businessKey, startButton)),
      diagramBox),
    h('div', { class: 'panel' }, h('h2', {}, 'Instances'), listBox));
  const diagram = await showDiagram(diagramBox, xml.bpmn20Xml);
  if (diagram) {
    const counts = new Map(stats.map((s) => [s.id, {
      instances: s.instances,
      incidents: s.incidents.reduce((n, i) => n + i.incidentCount, 0),
    }]));
    diagram.showCounts(counts);
  }
  await instanceList(listBox, { definitionId, compact: true });
  return () => diagram && diagram.destroy();
}
