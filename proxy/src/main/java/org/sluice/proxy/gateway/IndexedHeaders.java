package org.sluice.proxy.gateway;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A request's headers as the fields of its parsed head ({@link RequestHead}) plus the edits made to them on the
 * way upstream: fields removed, and fields added or set (kept apart, in Netty's validating headers). Reading a
 * field makes a view of the head's bytes, never a copy; Netty's encoder copies those bytes as they are, so the
 * upstream gets the fields that were sent, byte for byte, minus what was removed, plus what was added.
 * One event loop only, as every request's headers.
 */
final class IndexedHeaders extends HttpHeaders {
    private final RequestHead head;
    /** Fields of the head removed by an edit; null until the first. */
    private boolean[] removed;
    private int removedCount;
    /** Fields added or set by an edit; null until the first. */
    private HttpHeaders added;
    /** The head's fields as entries, made when first iterated. */
    private Field[] fields;

    IndexedHeaders(RequestHead head) {
        this.head = head;
    }

    RequestHead head() {
        return head;
    }

    private boolean present(int i) {
        return removed == null || !removed[i];
    }

    private HttpHeaders added() {
        if (added == null) {
            added = new Added();
        }
        return added;
    }

    /** Netty's validating headers, sized for the few fields Sluice adds (Host, Via, the request id, credentials). */
    private static final class Added extends DefaultHttpHeaders {
        private static final int SIZE_HINT = 4;

        Added() {
            super(DefaultHttpHeadersFactory.headersFactory().getNameValidator(),
                    DefaultHttpHeadersFactory.headersFactory().getValueValidator(), SIZE_HINT);
        }
    }

    private Field field(int i) {
        if (fields == null) {
            fields = new Field[head.fieldCount()];
        }
        Field f = fields[i];
        if (f == null) {
            f = new Field(head.name(i), head.value(i));
            fields[i] = f;
        }
        return f;
    }

    /** Removes every field of the head named {@code name}. */
    private void removeFromHead(CharSequence name) {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name)) {
                if (removed == null) {
                    removed = new boolean[head.fieldCount()];
                }
                removed[i] = true;
                removedCount++;
            }
        }
    }

    // ---- reading

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name)) {
                return field(i).value.toString();
            }
        }
        return added == null ? null : added.get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        String value = get(name);
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        String value = get(name);
        try {
            return value == null ? null : Short.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        String value = get(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name)) {
                values.add(field(i).value.toString());
            }
        }
        if (added != null) {
            values.addAll(added.getAll(name));
        }
        return values;
    }

    /**
     * Whether a field named {@code name} lists {@code value} (comma-separated, trimmed), as Netty's framing and
     * keep-alive checks ask on every request; allocates nothing.
     */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name) && listContains(field(i).value, value, ignoreCase)) {
                return true;
            }
        }
        return added != null && added.containsValue(name, value, ignoreCase);
    }

    private static boolean listContains(AsciiString list, CharSequence value, boolean ignoreCase) {
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            AsciiString item = list.subSequence(start, end, false).trim();
            if (ignoreCase ? item.contentEqualsIgnoreCase(value) : item.contentEquals(value)) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
        return false;
    }

    /** Netty's valueCharSequenceIterator comes here too. */
    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return contains(name) ? getAll(name).iterator() : Collections.emptyIterator();
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> entries = new ArrayList<>(size());
        Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            entries.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey().toString(), e.getValue().toString()));
        }
        return Collections.unmodifiableList(entries);
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name)) {
                return true;
            }
        }
        return added != null && added.contains(name);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return entries().iterator();
    }

    /** The head's remaining fields in the order sent, then the added ones. */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next = nextPresent(0);
            /** The added fields' iterator, made only when the head's fields are done and there are any. */
            private Iterator<Map.Entry<CharSequence, CharSequence>> more;

            @Override
            public boolean hasNext() {
                return next < head.fieldCount() || more().hasNext();
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next < head.fieldCount()) {
                    Field f = field(next);
                    next = nextPresent(next + 1);
                    return f;
                }
                if (!more().hasNext()) {
                    throw new NoSuchElementException();
                }
                return more.next();
            }

            private Iterator<Map.Entry<CharSequence, CharSequence>> more() {
                if (more == null) {
                    more = added == null || added.isEmpty() ? Collections.emptyIterator()
                            : added.iteratorCharSequence();
                }
                return more;
            }
        };
    }

    /**
     * The bytes Netty's encoder writes for these fields ({@code name: value CRLF} each), from the head's offsets
     * without visiting the fields one by one as entries.
     */
    long encodedBytes() {
        long bytes = 0;
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i)) {
                bytes += head.nameLength(i) + 2 + head.valueLength(i) + 2;
            }
        }
        if (added != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = added.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                bytes += e.getKey().length() + 2 + e.getValue().length() + 2;
            }
        }
        return bytes;
    }

    private int nextPresent(int from) {
        int i = from;
        while (i < head.fieldCount() && !present(i)) {
            i++;
        }
        return i;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return head.fieldCount() - removedCount + (added == null ? 0 : added.size());
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        while (it.hasNext()) {
            names.add(it.next().getKey().toString());
        }
        return names;
    }

    // ---- edits

    @Override
    public HttpHeaders add(String name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        added().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        added().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        added().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        removeFromHead(name);
        added().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        removeFromHead(name);
        added().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        removeFromHead(name);
        added().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        removeFromHead(name);
        added().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeFromHead(name);
        if (added != null) {
            added.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i)) {
                if (removed == null) {
                    removed = new boolean[head.fieldCount()];
                }
                removed[i] = true;
                removedCount++;
            }
        }
        if (added != null) {
            added.clear();
        }
        return this;
    }

    /** A field of the head: views of its name and value bytes. */
    private static final class Field implements Map.Entry<CharSequence, CharSequence> {
        private final AsciiString name;
        private final AsciiString value;

        Field(AsciiString name, AsciiString value) {
            this.name = name;
            this.value = value;
        }

        @Override
        public CharSequence getKey() {
            return name;
        }

        @Override
        public CharSequence getValue() {
            return value;
        }

        @Override
        public CharSequence setValue(CharSequence value) {
            throw new UnsupportedOperationException("a field of a parsed head is changed with set(name, value)");
        }

        @Override
        public String toString() {
            return name + ": " + value;
        }
    }
}
