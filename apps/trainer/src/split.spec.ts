import { describe, expect, it } from 'vitest';
import { hashedPathFor, splitPartFor, splitPercentage } from './split';

// Expected percentages computed with Python's hashlib and retrain.py's formula:
// (int(sha1(path).hexdigest(), 16) % (2**27)) * (100.0 / (2**27 - 1)).
const KNOWN: [string, number][] = [
  ['/tmp/images_resized/house_with_pool/google-image-0001-resized.jpeg', 95.77895474269206],
  ['/tmp/images_resized/house_with_pool/a.jpg', 61.308750221943484],
  ['/data/x/house_with_pool/a.jpg', 87.71205237293282],
  ['/tmp/images_resized/red/r02.png', 1.201943317070181],
  ['/tmp/images_resized/red/r04.png', 15.835654108491942],
  ['/tmp/images_resized/red/r38.png', 0.45791492207284956],
];

describe('the seed split (retrain.py formula)', () => {
  it('hashes known paths to the same percentages as retrain.py', () => {
    for (const [path, expected] of KNOWN) expect(splitPercentage(path)).toBeCloseTo(expected, 9);
  });

  it('puts below 10 % in validation, the next 10 % in test, the rest in training', () => {
    expect(splitPartFor('red', 'r02.png')).toBe('validation');
    expect(splitPartFor('red', 'r38.png')).toBe('validation');
    expect(splitPartFor('red', 'r04.png')).toBe('test');
    expect(splitPartFor('red', 'r06.png')).toBe('test');
    expect(splitPartFor('house_with_pool', 'a.jpg')).toBe('train');
  });

  it('hashes /tmp/images_resized/<class>/<name> by default, and another root when asked', () => {
    expect(hashedPathFor('c', 'x.jpg')).toBe('/tmp/images_resized/c/x.jpg');
    expect(splitPartFor('red', 'r09.png')).toBe('train');
    expect(splitPartFor('red', 'r09.png', { splitRoot: '/data/x/' })).toBe('validation');
    expect(splitPartFor('red', 'r10.png', { splitRoot: '/data/x' })).toBe('test');
  });

  it('ignores a _nohash_ suffix, so variants of one picture stay in one part', () => {
    expect(splitPercentage('/tmp/images_resized/house_without_pool/img_nohash_1.jpg')).toBeCloseTo(94.12045250922777, 9);
    expect(splitPercentage('/tmp/images_resized/house_without_pool/img_nohash_2.jpg')).toBe(splitPercentage('/tmp/images_resized/house_without_pool/img'));
  });

  it('honours other percentages', () => {
    expect(splitPartFor('red', 'r04.png', { validationPercentage: 20, testPercentage: 0 })).toBe('validation');
    expect(splitPartFor('red', 'r04.png', { validationPercentage: 0, testPercentage: 0 })).toBe('train');
  });
});
