import { greeting } from './greeting.js';

const params = new URLSearchParams(window.location.search);
const out = document.querySelector<HTMLElement>('#greeting');
if (out) {
  out.textContent = greeting(params.get('name'));
}
