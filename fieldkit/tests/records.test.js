// Violation wording, 不适用 for every item type, sector filtering and readable labels (node --test fieldkit/tests/).
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {finishProblems, forSector, itemFailed, itemLabel, itemsFor} from '../js/checklist.js';
import {foundText, requirement, violationOf} from '../js/violation.js';
import {contentHash} from '../js/content.js';

const PLACED = {key: 'it-7-1', answer: 'yes_no_na', sector: 'machinery', text: {zh: '人员聚集场所未设置在熔融金属吊运跨的地坪区域内。'},
                violation: {zh: '人员聚集场所设置在熔融金属吊运跨的地坪区域内。'}, basis: '第七条第（一）项'};
const GAS = {key: 'it-4-8-p', answer: 'number', unit: 'kPa', min: 30, sector: 'metallurgy',
             text: {zh: '水封式排水器的最高封堵煤气压力，不得小于30 kPa。'}, violation: {zh: '水封式排水器的最高封堵煤气压力小于30 kPa。'}};
const DUST = {key: 'it-11-3', answer: 'yes_no_na', sector: '*', text: {zh: '干式除尘系统已采取泄爆等爆炸防控措施（不涉及的选“不适用”）。'}};
const NOTE = {key: 'law-30', answer: 'text', sector: '*', text: {zh: '记录特种作业人员。'}, violation: {zh: '特种作业人员未持证上岗。'}};

test('a hazard starts from the violation, never from the compliance sentence', () => {
  assert.equal(violationOf(PLACED), '人员聚集场所设置在熔融金属吊运跨的地坪区域内。');
  assert.ok(!violationOf(PLACED).includes('未设置'));
  assert.equal(foundText(GAS, 28), '水封式排水器的最高封堵煤气压力小于30 kPa（实测28kPa）。');
  assert.equal(foundText(GAS, 'na'), '水封式排水器的最高封堵煤气压力小于30 kPa。');
});

test('an older template without violation wording still states a violation', () => {
  const text = violationOf(DUST);
  assert.equal(text, '未做到“干式除尘系统已采取泄爆等爆炸防控措施”。');
  assert.notEqual(text, DUST.text.zh);
  assert.equal(requirement({text: {zh: '已建立档案。法条：“应当建立档案。”'}}), '已建立档案');
  assert.equal(violationOf({}), '检查项不符合要求。');
  assert.equal(violationOf({answer: 'pass_fail', text: {zh: '消火栓被遮挡'}}), '消火栓被遮挡');
});

test('不适用 never fails an item of any type', () => {
  for (const item of [PLACED, GAS, NOTE]) assert.equal(itemFailed(item, 'na'), false);
  assert.equal(itemFailed(GAS, 28), true);
  assert.equal(itemFailed(GAS, 31), false);
  assert.equal(itemFailed(PLACED, 'no'), true);
});

test('the checklist shows the enterprise sector and the cross-cutting items only', () => {
  const checklist = {items: [PLACED, GAS, DUST, NOTE]};
  assert.deepEqual(itemsFor({kind: 'random'}, checklist, {industry: 'machinery'}).map((i) => i.key), ['it-7-1', 'it-11-3', 'law-30']);
  assert.deepEqual(itemsFor({kind: 'random'}, checklist, {industry: 'metallurgy'}).map((i) => i.key), ['it-4-8-p', 'it-11-3', 'law-30']);
  assert.equal(itemsFor({kind: 'random'}, checklist, null).length, 4);  // sector unknown: every item
  assert.equal(forSector([{key: 'x'}], 'commerce').length, 1);           // an item without a sector applies
});

test('finishing: N/A numbers count as answered, and messages name items by text, not by key', () => {
  const items = [GAS, NOTE];
  const inspection = {checkin: {}, answers: [{item: 'it-4-8-p', value: 'na', photos: []}], manager: {name: '王'}};
  const signed = contentHash(inspection, []);  // signatures bound to what they signed (content.js)
  inspection.signatures = ['inspector', 'inspector', 'manager'].map((signer) => ({signer, content_sha256: signed}));
  const problems = finishProblems(inspection, items, [], {inspectors: ['a', 'b']});
  assert.equal(problems.length, 1);
  assert.equal(problems[0][0], 'fk.finish.unanswered');
  assert.equal(problems[0][1].item, '“记录特种作业人员。”（第2项）');
  assert.equal(itemLabel(PLACED, [PLACED]), '“人员聚集场所未设置在熔融金属吊运跨的地坪区域内。”（第1项）');
  for (const [, params] of problems) assert.ok(!/it-\d|law-\d/.test(JSON.stringify(params)));
});
