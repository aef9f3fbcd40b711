'use strict';
// Well-formedness and a small element tree, with the strict `sax` parser
// (namespace-aware). xmllint, when installed, is used as well (see
// validity.test.js); this is the fallback and the basis of structure checks.
const sax = require('sax');

/** Parse `text`; throws on any well-formedness error. Returns the root element. */
function parse(text) {
  const parser = sax.parser(true, { xmlns: true, position: true });
  const stack = [];
  let root = null;
  let error = null;
  parser.onerror = (e) => {
    error = error || e;
    parser.error = null;
    parser.resume();
  };
  parser.onopentag = (node) => {
    const el = {
      name: node.local,
      ns: node.uri,
      attrs: Object.fromEntries(Object.values(node.attributes).map((a) => [a.name, a.value])),
      children: [],
      text: '',
    };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (root) error = error || new Error('more than one root element');
    else root = el;
    stack.push(el);
  };
  parser.ontext = (t) => {
    if (stack.length) stack[stack.length - 1].text += t;
    else if (t.trim()) error = error || new Error(`text outside the root element: ${t.trim().slice(0, 40)}`);
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => stack.pop();
  parser.write(text).close();
  if (error) throw error;
  if (!root) throw new Error('no root element');
  return root;
}

const children = (el, name) => el.children.filter((c) => c.name === name);
const child = (el, name) => children(el, name)[0];

module.exports = { parse, children, child };
