package org.sluice.policy;

import java.util.Map;

/**
 * Open-addressing table from a string key (a path segment, a host name, a host suffix) to a value, looked up
 * straight from a region of the request's string so that no substring is made.
 *
 * @param <V> what a key leads to
 */
final class RegionIndex<V> {

    private final String[] keys;
    private final Object[] values;
    private final int mask;
    private final int size;
    /** Key lengths seen: a region of another length is not looked up at all. */
    private final int shortestKey;
    private final int longestKey;

    RegionIndex(Map<String, V> byKey) {
        int capacity = Integer.highestOneBit(Math.max(2, byKey.size() * 2 + 1)) << 1;
        keys = new String[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = byKey.size();
        shortestKey = byKey.keySet().stream().mapToInt(String::length).min().orElse(0);
        longestKey = byKey.keySet().stream().mapToInt(String::length).max().orElse(-1);
        for (Map.Entry<String, V> entry : byKey.entrySet()) {
            String key = entry.getKey();
            int slot = hash(key, 0, key.length()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            values[slot] = entry.getValue();
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The value keyed by exactly text[start, end), or null. */
    @SuppressWarnings("unchecked")
    V get(String text, int start, int end) {
        int length = end - start;
        if (length < shortestKey || length > longestKey) {
            return null;
        }
        for (int slot = hash(text, start, end) & mask; ; slot = (slot + 1) & mask) {
            String key = keys[slot];
            if (key == null) {
                return null;
            }
            if (key.length() == length && text.regionMatches(start, key, 0, length)) {
                return (V) values[slot];
            }
        }
    }

    private static int hash(String s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h ^ (h >>> 16);
    }
}
