// bpmn-js NavigatedViewer with count overlays and markers for active activities.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { h } from './ui.js';

export async function showDiagram(container, xml) {
  container.replaceChildren();
  const viewer = new NavigatedViewer({ container });
  try {
    const { warnings } = await viewer.importXML(xml);
    if (warnings && warnings.length) console.warn('diagram import warnings', warnings);
  } catch (error) {
    viewer.destroy();
    container.append(h('div', { class: 'message' }, `This diagram cannot be shown: ${error.message}`));
    return null;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const overlays = viewer.get('overlays');
  if (!registry.filter((element) => element.type !== 'bpmn:Process' && element.parent).length) {
    container.append(h('div', { class: 'message' }, 'This model has no diagram layout (BPMN DI) to show.'));
  }
  canvas.zoom('fit-viewport', 'auto');
  container.dataset.ready = 'true';

  return {
    viewer,
    /** counts: Map activityId -> {instances, incidents} */
    showCounts(counts) {
      overlays.remove({ type: 'counts' });
      for (const [activityId, { instances, incidents }] of counts) {
        if (!registry.get(activityId) || (!instances && !incidents)) continue;
        const badge = h('div', { class: 'diagram-overlay', 'data-activity': activityId },
          instances ? h('span', { class: 'running', title: `${instances} running` }, instances) : null,
          incidents ? h('span', { class: 'incidents', title: `${incidents} incidents` }, incidents) : null);
        overlays.add(activityId, 'counts', { position: { bottom: 12, left: -8 }, html: badge });
      }
    },
    markActive(activityIds, incidentActivityIds = new Set()) {
      for (const activityId of activityIds) {
        if (registry.get(activityId)) canvas.addMarker(activityId, 'active-activity');
      }
      for (const activityId of incidentActivityIds) {
        if (registry.get(activityId)) canvas.addMarker(activityId, 'incident-activity');
      }
    },
    elementName(activityId) {
      const element = registry.get(activityId);
      return element && element.businessObject ? element.businessObject.name : undefined;
    },
    destroy() { viewer.destroy(); },
  };
}

/** The camunda:formData fields of a user task, read from the definition's XML. */
export function formFields(xml, activityId) {
  const CAMUNDA = 'http://camunda.org/schema/1.0/bpmn';
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const task = [...doc.getElementsByTagNameNS('*', 'userTask')].find((e) => e.getAttribute('id') === activityId);
  if (!task) return [];
  return [...task.getElementsByTagNameNS(CAMUNDA, 'formField')].map((field) => ({
    id: field.getAttribute('id'),
    label: field.getAttribute('label') || field.getAttribute('id'),
    type: field.getAttribute('type') || 'string',
    defaultValue: field.getAttribute('defaultValue'),
  }));
}
