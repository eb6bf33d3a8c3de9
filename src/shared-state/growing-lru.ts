import { LRUCache } from 'lru-cache';

// An LRU of at most `entries` whose arrays grow as it fills. Given `max`, lru-cache allocates
// them for every entry up front: for 200,000 sign-in subjects that is 25 ms and 3.2 MB in each
// counter of each Gatehouse a process builds (issue 15's test profiles: 0.3–0.5 s per test file),
// though most never hold more than a few hundred. Each entry counted as size 1 under `maxSize`
// keeps the same bound, evicting the least recently used.
export function growingLru<K extends {}, V extends {}>(entries: number): LRUCache<K, V> {
  return new LRUCache<K, V>({ maxSize: entries, sizeCalculation: () => 1 });
}
