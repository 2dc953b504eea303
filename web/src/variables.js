// Typed variable values as Camunda's REST API carries them: {value, type, valueInfo}.
import { h } from './ui.js';

export const TYPES = ['String', 'Integer', 'Long', 'Double', 'Boolean', 'Date', 'Json'];

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function pad(number, width = 2) {
  return String(number).padStart(width, '0');
}

/** A Date as Camunda's default date format, in UTC: yyyy-MM-dd'T'HH:mm:ss.SSS+0000. */
export function camundaDate(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T`
    + `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.`
    + `${pad(date.getUTCMilliseconds(), 3)}+0000`;
}

function localInputValue(camunda) {
  if (!camunda) return '';
  const date = new Date(camunda.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Form-field types (camunda:formData) to variable types. */
export function typeOfFormField(type) {
  return { string: 'String', long: 'Long', boolean: 'Boolean', date: 'Date', enum: 'String' }[type] || 'String';
}

/** Parse what the user typed into a typed value; throws with a clear message. */
export function typedValue(type, raw) {
  switch (type) {
    case 'String':
      return { type, value: raw, valueInfo: {} };
    case 'Integer':
    case 'Long': {
      if (!/^[-+]?\d+$/.test(String(raw).trim())) throw new Error(`'${raw}' is not a whole number`);
      const value = Number(raw);
      if (type === 'Integer' && (value < INT_MIN || value > INT_MAX)) throw new Error(`${raw} does not fit an Integer`);
      if (!Number.isSafeInteger(value)) throw new Error(`${raw} is too large`);
      return { type, value, valueInfo: {} };
    }
    case 'Double': {
      const value = Number(String(raw).trim());
      if (String(raw).trim() === '' || Number.isNaN(value)) throw new Error(`'${raw}' is not a number`);
      return { type, value, valueInfo: {} };
    }
    case 'Boolean':
      return { type, value: raw === true || raw === 'true', valueInfo: {} };
    case 'Date': {
      if (!raw) throw new Error('Choose a date');
      const date = new Date(raw);
      if (Number.isNaN(date.getTime())) throw new Error(`'${raw}' is not a date`);
      return { type, value: camundaDate(date), valueInfo: {} };
    }
    case 'Json':
      try { JSON.parse(raw); } catch (error) { throw new Error(`Invalid JSON: ${error.message}`); }
      return { type, value: raw, valueInfo: {} };
    default:
      throw new Error(`Unsupported type ${type}`);
  }
}

/** A typed input for `type`; read it back with readInput(). */
export function valueInput(type, current, attrs = {}) {
  switch (type) {
    case 'Boolean':
      return h('select', { ...attrs, 'data-type': type },
        h('option', { value: 'true', selected: current === true || current === 'true' }, 'true'),
        h('option', { value: 'false', selected: !(current === true || current === 'true') }, 'false'));
    case 'Integer':
    case 'Long':
      return h('input', { ...attrs, type: 'number', step: '1', value: current ?? '', 'data-type': type });
    case 'Double':
      return h('input', { ...attrs, type: 'number', step: 'any', value: current ?? '', 'data-type': type });
    case 'Date':
      return h('input', { ...attrs, type: 'datetime-local', value: localInputValue(current), 'data-type': type });
    case 'Json':
      return h('textarea', { ...attrs, 'data-type': type, value: current ?? '' });
    default:
      return h('input', { ...attrs, type: 'text', value: current ?? '', 'data-type': type });
  }
}

export function readInput(input) {
  return typedValue(input.dataset.type, input.value);
}

export function displayValue(variable) {
  if (variable.value === null || variable.value === undefined) return h('span', { class: 'muted' }, 'null');
  if (typeof variable.value === 'object') return h('code', {}, JSON.stringify(variable.value));
  if (variable.type === 'Json' || variable.type === 'Object' || variable.type === 'Xml') {
    return h('code', {}, String(variable.value));
  }
  return String(variable.value);
}

export function isEditable(type) {
  return TYPES.includes(type) || type === 'Short' || type === 'Null';
}
