// Unit tests of the field kit's pure modules (Node's own test runner; run by tests/unit/test_fieldkit_js.py).
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {distanceM, geofence} from '../js/geo.js';
import {readPayload, siteFromToken} from '../js/qr.js';
import {finishProblems, groupTasks, isCorrected, itemFailed, itemsFor} from '../js/checklist.js';
import {contentHash} from '../js/content.js';

const BASE = 'https://aqjc.example.gov.cn';
const SITE = 'site:91370102MA3C5EXJ4X:01';

test('distance: one thousandth of a degree of latitude is about 111 m', () => {
  assert.ok(Math.abs(distanceM(36.66, 117.05, 36.661, 117.05) - 111.2) < 0.5);
  assert.equal(distanceM(36.66, 117.05, 36.66, 117.05), 0);
});

test('geofence: inside, uncertain within the fix error, outside, no position, no site point', () => {
  const site = {lat: 36.66, lng: 117.05, radius_m: 100};
  assert.equal(geofence({lat: 36.6605, lng: 117.05, accuracy_m: 5}, site).state, 'ok');
  assert.equal(geofence({lat: 36.6612, lng: 117.05, accuracy_m: 50}, site).state, 'uncertain');
  const far = geofence({lat: 36.678, lng: 117.05, accuracy_m: 10}, site);
  assert.equal(far.state, 'outside');
  assert.ok(far.distance > 1900 && far.radius === 100);
  assert.equal(geofence(null, site).state, 'no_position');
  assert.equal(geofence({lat: 1, lng: 1, accuracy_m: 1}, {}).state, 'no_site_position');
  assert.equal(geofence({lat: 36.6625, lng: 117.05, accuracy_m: 1}, {lat: 36.66, lng: 117.05}).state, 'ok'); // 300 m default
});

test('QR payloads: ours, another server, malformed, hostile', () => {
  assert.deepEqual(readPayload(`${BASE}/q/91370102MA3C5EXJ4X-01?k=k1&s=abcdefghijklmnopqrstuv`, BASE), {kind: 'ours', site: SITE});
  assert.deepEqual(readPayload(`${BASE}/q/91370102MA3C5EXJ4X-01?s=x&k=k1`, BASE), {kind: 'ours', site: SITE});
  assert.equal(readPayload(`https://evil.example/q/91370102MA3C5EXJ4X-01?k=k1&s=x`, BASE).kind, 'foreign');
  assert.equal(readPayload(`http://aqjc.example.gov.cn/q/91370102MA3C5EXJ4X-01?k=k1&s=x`, BASE).kind, 'foreign');
  assert.equal(readPayload('WIFI:S:guest;T:WPA;P:secret;;', BASE).kind, 'foreign');
  assert.equal(readPayload(`${BASE}/q/91370102MA3C5EXJ4X-01`, BASE).kind, 'malformed');            // no signature
  assert.equal(readPayload(`${BASE}/q/91370102MA3C5EXJ4X-01?k=k1&s=x&x=1`, BASE).kind, 'malformed');
  assert.equal(readPayload(`${BASE}/q/91370102MA3C5EXJ4I-01?k=k1&s=x`, BASE).kind, 'malformed');   // I is not a USCC letter
  assert.equal(readPayload(`${BASE}/q/../admin?k=k1&s=x`, BASE).kind, 'foreign');
  assert.equal(readPayload('x'.repeat(600), BASE).kind, 'malformed');
  assert.equal(readPayload('', BASE).kind, 'malformed');
  assert.equal(readPayload(null, BASE).kind, 'malformed');
  assert.equal(readPayload('<script>alert(1)</script>', BASE).kind, 'foreign');
  assert.deepEqual(readPayload(`${BASE}/inspect/q/91370102MA3C5EXJ4X-01?k=k1&s=x`, `${BASE}/inspect/`), {kind: 'ours', site: SITE});
});

test('typed site codes', () => {
  assert.equal(siteFromToken(' 91370102ma3c5exj4x-01 '), SITE);
  assert.equal(siteFromToken('91370102MA3C5EXJ4X-00'), null);
  assert.equal(siteFromToken('91370102MA3C5EXJ4X'), null);
  assert.equal(siteFromToken("'; DROP TABLE"), null);
});

const yesNo = {key: 'a', answer: 'yes_no_na', major_if_failed: true, photo_required: true};
const number = {key: 'n', answer: 'number', min: 75, max: null};
const text = {key: 't', answer: 'text'};

test('which answers fail an item', () => {
  assert.equal(itemFailed(yesNo, 'no'), true);
  assert.equal(itemFailed(yesNo, 'na'), false);
  assert.equal(itemFailed(yesNo, null), false);
  assert.equal(itemFailed(number, 74.9), true);
  assert.equal(itemFailed(number, 75), false);
  assert.equal(itemFailed({answer: 'number', min: 0, max: 12}, 13), true);
  assert.equal(itemFailed(text, 'anything'), false);
  assert.equal(itemFailed({answer: 'pass_fail'}, 'fail'), true);
});

test('finishing needs check-in, every answer, required photos, a hazard for a failed major item, signatures', () => {
  const task = {inspectors: ['inspector:a', 'inspector:b']};
  const empty = {answers: [], signatures: []};
  const keys = (problems) => problems.map(([key]) => key);
  assert.deepEqual(keys(finishProblems(empty, [yesNo], [], task)),
    ['fk.finish.no_checkin', 'fk.finish.unanswered', 'fk.finish.two_inspectors', 'fk.finish.no_manager']);
  const done = {checkin: {}, manager: {name: '赵'}, answers: [{item: 'a', value: 'no', photos: ['photo:1']}],
                signatures: [{signer: 'inspector'}, {signer: 'inspector'}, {signer: 'manager', refused: true}]};
  // signatures hold only for the content they signed (content.js): bound here to the record as checked
  const bound = (doc, hazards) => ({...doc, signatures: doc.signatures.map((s) => ({...s, content_sha256: contentHash(doc, hazards)}))});
  assert.deepEqual(keys(finishProblems(bound(done, []), [yesNo], [], task)), ['fk.finish.major_without_hazard']);
  assert.deepEqual(finishProblems(bound(done, [{item: 'a'}]), [yesNo], [{item: 'a'}], task), []);
  assert.deepEqual(keys(finishProblems(done, [yesNo], [{item: 'a'}], task)),
    ['fk.finish.two_inspectors', 'fk.finish.manager_sign', 'fk.sig.void_problem']);  // unbound: sign again
  const noPhoto = {...done, answers: [{item: 'a', value: 'yes', photos: []}]};
  assert.deepEqual(keys(finishProblems(bound(noPhoto, []), [yesNo], [], task)), ['fk.finish.photo_required']);
  const na = {...done, answers: [{item: 'a', value: 'na', photos: []}]};
  assert.deepEqual(finishProblems(bound(na, []), [yesNo], [], task), []);
  const witness = {...done, witness: {name: '钱'}};
  assert.deepEqual(keys(finishProblems(bound(witness, [{item: 'a'}]), [yesNo], [{item: 'a'}], task)), ['fk.finish.witness_sign']);
});

test('tasks sorted into returned, today, upcoming and done', () => {
  const task = (id, start) => ({_id: id, enterprise_name: id, window: {start, end: start}});
  const tasks = [task('t1', '2026-12-01'), task('t2', '2026-12-05'), task('t3', '2026-11-30'), task('t4', '2026-12-01')];
  const inspections = [{_id: 'i3', task: 't3', status: 'finished'}, {_id: 'i4', task: 't4', status: 'finished', corrects: null}];
  const reviews = new Map([['i4', {decision: 'returned', ref: 'review:4:1'}]]);
  const groups = groupTasks(tasks, inspections, reviews, '2026-12-01');
  const ids = (list) => list.map((e) => e.task._id);
  assert.deepEqual([ids(groups.returned), ids(groups.today), ids(groups.upcoming), ids(groups.done)],
                   [['t4'], ['t1'], ['t2'], ['t3']]);
  assert.equal(isCorrected({status: 'finished', corrects: 'review:4:1'}, {ref: 'review:4:1'}), true);
  assert.equal(isCorrected({status: 'draft', corrects: 'review:4:1'}, {ref: 'review:4:1'}), false);
});

test('a re-inspection lists one pass/fail item per hazard', () => {
  const items = itemsFor({kind: 'reinspection', hazards: [{hazard: 'hazard:x', description: '通道堵塞', deadline: '2026-12-10'}]}, null);
  assert.equal(items.length, 1);
  assert.equal(items[0].key, 'hazard:x');
  assert.equal(items[0].answer, 'pass_fail');
  assert.deepEqual(itemsFor({}, {items: [yesNo]}), [yesNo]);
});
