// The signed content on the phone against the shared test vectors (the Python side reads the same file:
// tests/unit/test_signed_content.py), and the hand-written SHA-256 against Node's own.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';

import {canonicalJson, contentHash, currentSignatures, sha256Hex, signatureState, signedContent} from '../js/content.js';
import {changesBetween, correctionProblems} from '../js/corrections.js';

const vectors = JSON.parse(readFileSync(new URL('../../data/test-vectors/signed-content.json', import.meta.url), 'utf8'));

test('sha256: the FIPS 180-4 examples and lengths around the block boundaries agree with node:crypto', () => {
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  for (const n of [1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
    const text = '检'.repeat(n % 7) + 'x'.repeat(n) + '😀';
    assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'), `length ${n}`);
  }
});

test('numbers are written as the shared vectors say', () => {
  assert.deepEqual(JSON.parse(vectors.numbers_json).map((n) => canonicalJson(n)), vectors.numbers);
});

test('each shared record gives the same canonical text and hash as the Python side', () => {
  for (const c of vectors.records) {
    assert.equal(canonicalJson(signedContent(c.inspection, c.hazards)), c.canonical, c.name);
    assert.equal(contentHash(c.inspection, c.hazards), c.sha256, c.name);
  }
});

test('sync metadata, status, signatures and corrections are not content; answers and people are', () => {
  const {inspection, hazards} = vectors.records[0];
  const hash = contentHash(inspection, hazards);
  const same = {...inspection, _rev: '9-z', status: 'draft', finished_at: null, signatures: [], corrections: [{note: 'x'}],
                review_status: 'approved', source: {}, answers: [...inspection.answers].reverse()};
  assert.equal(contentHash(same, [...hazards].reverse()), hash);
  const changed = structuredClone(inspection);
  changed.answers[0].value = 'yes';
  assert.notEqual(contentHash(changed, hazards), hash);
  assert.notEqual(contentHash({...inspection, manager: {name: '钱经理', role: '经理'}}, hazards), hash);
  assert.notEqual(contentHash(inspection, hazards.slice(1)), hash);
});

test('a signature holds only for the content it signed; a refusal too', () => {
  const {inspection, hazards} = vectors.records[0];
  const hash = contentHash(inspection, hazards);
  assert.equal(signatureState({content_sha256: hash}, hash), 'signed');
  assert.equal(signatureState({content_sha256: hash, refused: true}, hash), 'refused');
  assert.equal(signatureState({content_sha256: 'f'.repeat(64)}, hash), 'void');
  assert.equal(signatureState({}, hash), 'unbound');
  const doc = {...inspection, signatures: [{signer: 'manager', content_sha256: hash}, {signer: 'witness', content_sha256: '0'}]};
  assert.deepEqual(currentSignatures(doc, hazards).map((s) => s.signer), ['manager']);
});

test('a correction lists what changed and needs a note', () => {
  const {inspection, hazards} = vectors.records[0];
  const before = signedContent(inspection, hazards);
  const edited = structuredClone(inspection);
  edited.answers[0].value = 'yes';
  edited.place = '二号仓库';
  const changes = changesBetween(before, signedContent(edited, hazards.slice(1)));
  assert.deepEqual(changes.map((c) => [c.part, c.key]).sort(),
                   [['answer', 'it-7-1'], ['field', 'place'], ['hazard', hazards[0]._id]].sort());
  assert.ok(changes.find((c) => c.key === 'it-7-1').after.startsWith('符合；说明：'));
  assert.equal(correctionProblems({correcting: {note: ' '}}).length, 1);
  assert.equal(correctionProblems({correcting: {note: '更正检查地点'}}).length, 0);
  assert.equal(correctionProblems({}).length, 0);
});
