// Loaded with `node -r` before pouchdb-server: a design document's map function is compiled once per view
// update instead of once per document.
//
// Why: pouchdb-mapreduce 7.3 runs a stored map function by building a new `vm` context and compiling the
// function, with the document pasted in as source text, for every document and every view
// (`evalFunctionInVm`). On this machine kind that is ~0.7 ms of a ~1.9 ms per-document view update, plus
// most of the garbage collection (docs/benchmarks.md, console benchmark). Here each map function gets one
// sandbox of its own for the whole update, as CouchDB's query server keeps one JavaScript context per
// design document. Only JSON text crosses into and out of the sandbox, so the function sees no Node
// object (no require, no process) and cannot change the caller's documents. Reduce functions, key
// handling and storage stay pouchdb-mapreduce's own.
'use strict';
const Module = require('module');
const vm = require('vm');

// The helpers pouchdb-mapreduce (and CouchDB) give a map function, besides emit.
const HELPERS = [
  'var log = function () {};',
  'var isArray = Array.isArray;',
  'var toJSON = JSON.parse;',
  'var sum = function (values) { var total = 0; for (var i = 0; i < values.length; i++) { total += values[i]; }',
  '  return total; };',
].join('\n');

function compileMap(source) {
  const context = vm.createContext(Object.create(null));
  const program = '(function () { "use strict";\n' + HELPERS + '\n' +
    'var emitted = [];\n' +
    'var emit = function (key, value) { emitted.push([key, value === undefined ? null : value]); };\n' +
    'var fun = (' + source.replace(/;\s*$/, '') + ');\n' +
    'return function (json) { emitted = []; fun(JSON.parse(json)); return JSON.stringify(emitted); };\n' +
    '})()';
  return vm.runInContext(program, context, {filename: 'design-doc-map.js'});
}

function compiledOnce(originalMapper) {
  return function mapper(mapFun, emit) {
    // Temporary views given as real functions (emit passed as an argument) keep pouchdb's own path.
    if (typeof mapFun === 'function' && mapFun.length === 2) {
      return originalMapper(mapFun, emit);
    }
    const run = compileMap(mapFun.toString());
    return function (doc) {
      const rows = JSON.parse(run(JSON.stringify(doc)));
      for (let i = 0; i < rows.length; i++) {
        emit(rows[i][0], rows[i][1]);
      }
    };
  };
}

const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = originalLoad.apply(this, arguments);
  if (request === 'pouchdb-abstract-mapreduce' && parent && /[\\/]pouchdb-mapreduce[\\/]/.test(parent.filename)) {
    return function createAbstractMapReduce(localDocName, mapper, reducer, ddocValidator) {
      return loaded(localDocName, compiledOnce(mapper), reducer, ddocValidator);
    };
  }
  return loaded;
};

module.exports = {compileMap};
