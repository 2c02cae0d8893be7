package org.sluice.proxy.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
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
import java.util.function.Predicate;

/**
 * A message's headers as the fields of its parsed head ({@link HeadFields}: a request's, or an upstream response's)
 * plus the edits made to them on the way through: fields removed, and fields added or set (kept apart, validated as
 * Netty's headers validate). Reading a field makes a view of the head's bytes, never a copy. The encoders write the
 * remaining fields from the head's bytes ({@link #writeTo}), so the next hop gets the fields that were sent, byte for
 * byte, minus what was removed, plus what was added. One event loop only, as every message's headers.
 */
final class IndexedHeaders extends HttpHeaders {

    private final HeadFields head;
    /** Fields of the head removed by an edit; null until the first. */
    private boolean[] removed;
    private int removedCount;
    /** Fields added or set by edits; null until the first. */
    private AddedFields added;
    /** The head's fields as entries, made when first iterated. */
    private HeadFields.Field[] fields;
    /** A field's name as passed to {@link #removeFields}: one view, moved from field to field. */
    private HeadFields.FieldName fieldName;

    IndexedHeaders(HeadFields head) {
        this.head = head;
    }

    /** The parsed head under the edits, as it was received. */
    HeadFields head() {
        return head;
    }

    private boolean present(int i) {
        return removed == null || !removed[i];
    }

    private HeadFields.Field field(int i) {
        if (fields == null) {
            fields = new HeadFields.Field[head.fieldCount()];
        }
        HeadFields.Field f = fields[i];
        if (f == null) {
            f = new HeadFields.Field(head.name(i), head.value(i));
            fields[i] = f;
        }
        return f;
    }

    private void removeFromHead(int i) {
        if (removed == null) {
            removed = new boolean[head.fieldCount()];
        }
        removed[i] = true;
        removedCount++;
    }

    /** Removes every field of the head named {@code name}. */
    private void removeFromHead(CharSequence name) {
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && head.nameIs(i, name)) {
                removeFromHead(i);
            }
        }
    }

    /**
     * Removes every field whose name {@code doomed} accepts, looking at each field once. The name it is shown is
     * valid only during the call: it must not be kept. Allocates nothing when nothing is removed.
     */
    void removeFields(Predicate<CharSequence> doomed) {
        HeadFields.FieldName name = fieldName == null ? fieldName = new HeadFields.FieldName(head.bytes) : fieldName;
        for (int i = 0; i < head.fieldCount(); i++) {
            if (present(i) && doomed.test(name.of(head.nameStart(i), head.nameLength(i)))) {
                removeFromHead(i);
            }
        }
        for (int i = added == null ? -1 : added.count() - 1; i >= 0; i--) {
            if (doomed.test(added.name(i))) {
                added.remove(i);
            }
        }
    }

    /**
     * Writes the fields as {@code name: value CRLF} lines: the head's remaining ones from its bytes (runs of fields
     * sent that way as one copy), then the added ones.
     */
    void writeTo(ByteBuf out) {
        int runStart = 0;
        for (int i = 0; i < head.fieldCount(); i++) {
            if (!present(i)) {
                head.writeFields(runStart, i, out);
                runStart = i + 1;
            }
        }
        head.writeFields(runStart, head.fieldCount(), out);
        if (added != null) {
            added.writeTo(out);
        }
    }

    /**
     * For an encoder: writes {@code headers} by {@link #writeTo} when they are a parsed head's; false when they are
     * not, for the encoder to write them its own way.
     */
    static boolean writeIfIndexed(HttpHeaders headers, ByteBuf out) {
        if (headers instanceof IndexedHeaders indexed) {
            indexed.writeTo(out);
            return true;
        }
        return false;
    }

    private AddedFields added() {
        if (added == null) {
            added = new AddedFields();
        }
        return added;
    }

    private int addedCount() {
        return added == null ? 0 : added.count();
    }

    private int addedIndexOf(CharSequence name, int from) {
        return added == null ? -1 : added.indexOf(name, from);
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
                return head.valueText(i);
            }
        }
        int a = addedIndexOf(name, 0);
        return a < 0 ? null : added.value(a).toString();
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
                values.add(head.valueText(i));
            }
        }
        for (int a = addedIndexOf(name, 0); a >= 0; a = addedIndexOf(name, a + 1)) {
            values.add(added.value(a).toString());
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
            if (present(i) && head.nameIs(i, name) && head.valueLists(i, value, ignoreCase)) {
                return true;
            }
        }
        for (int a = addedIndexOf(name, 0); a >= 0; a = addedIndexOf(name, a + 1)) {
            if (added.valueLists(a, value, ignoreCase)) {
                return true;
            }
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
        return addedIndexOf(name, 0) >= 0;
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
            private int nextAdded;

            @Override
            public boolean hasNext() {
                return next < head.fieldCount() || nextAdded < addedCount();
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (next < head.fieldCount()) {
                    HeadFields.Field f = field(next);
                    next = nextPresent(next + 1);
                    return f;
                }
                if (nextAdded >= addedCount()) {
                    throw new NoSuchElementException();
                }
                int a = nextAdded++;
                return new AbstractMap.SimpleImmutableEntry<>(added.name(a), added.value(a));
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
        return added == null ? bytes : bytes + added.encodedBytes();
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
        return head.fieldCount() - removedCount + addedCount();
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
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        for (Object value : values) {
            added().add(name, value);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        added().add(name, Integer.toString(value));
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        added().add(name, Short.toString(value));
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        remove(name);
        added().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
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
                removeFromHead(i);
            }
        }
        added = null;
        return this;
    }
}
