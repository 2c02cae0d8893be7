package org.sluice.policy;

import java.util.Map;

/**
 * Open-addressing table from one path segment (the first, or the last) to the ascending indices of the rules that
 * could match it, looked up straight from a region of the request path so that no substring is made.
 */
final class SegmentIndex {

    static final int[] NONE = new int[0];

    private final String[] keys;
    private final int[][] values;
    private final int mask;
    private final int size;

    SegmentIndex(Map<String, int[]> rulesBySegment) {
        int capacity = Integer.highestOneBit(Math.max(2, rulesBySegment.size() * 2 + 1)) << 1;
        keys = new String[capacity];
        values = new int[capacity][];
        mask = capacity - 1;
        size = rulesBySegment.size();
        for (Map.Entry<String, int[]> entry : rulesBySegment.entrySet()) {
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

    /** Rules keyed by exactly path[start, end); NONE when there are none. */
    int[] rulesFor(String path, int start, int end) {
        int length = end - start;
        for (int slot = hash(path, start, end) & mask; ; slot = (slot + 1) & mask) {
            String key = keys[slot];
            if (key == null) {
                return NONE;
            }
            if (key.length() == length && path.regionMatches(start, key, 0, length)) {
                return values[slot];
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
