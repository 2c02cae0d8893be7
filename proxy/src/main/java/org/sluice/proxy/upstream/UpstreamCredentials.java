package org.sluice.proxy.upstream;

import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.sluice.policy.config.InjectedHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headers {@code gateway.upstream.headers} sets on every forwarded request. Values from files are read by one
 * background thread, which checks each file's modification time and size once a second and re-reads it when
 * they change; the event loops only read a volatile field. Values are never logged.
 */
final class UpstreamCredentials implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamCredentials.class);
    static final long POLL_MILLIS = 1000;

    private final List<Entry> entries;
    private final boolean stripClientAuthorization;
    private final ScheduledExecutorService poller;

    UpstreamCredentials(List<InjectedHeader> headers, boolean stripClientAuthorization) throws IOException {
        this.stripClientAuthorization = stripClientAuthorization;
        List<Entry> list = new ArrayList<>();
        boolean anyFile = false;
        for (InjectedHeader header : headers) {
            Entry entry = new Entry(header);
            if (header.file() != null) {
                anyFile = true;
                entry.refresh(true);
            }
            list.add(entry);
        }
        this.entries = List.copyOf(list);
        if (anyFile) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-upstream-credentials");
                t.setDaemon(true);
                return t;
            });
            poller.scheduleWithFixedDelay(this::refreshAll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    /** Strips the algorithm's Authorization if configured, then sets every injected header. */
    void apply(HttpHeaders headers) {
        if (stripClientAuthorization) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
        for (Entry entry : entries) {
            headers.set(entry.header.name(), entry.value);
        }
    }

    /** True when {@link #apply} sets header {@code name}: its value is the operator's, not the algorithm's. */
    boolean injects(CharSequence name) {
        for (Entry entry : entries) {
            if (AsciiString.contentEqualsIgnoreCase(entry.header.name(), name)) {
                return true;
            }
        }
        return false;
    }

    private void refreshAll() {
        for (Entry entry : entries) {
            if (entry.header.file() != null) {
                try {
                    entry.refresh(false);
                } catch (IOException | RuntimeException e) {
                    // The last good value stays in use; the message names the file, never its content.
                    log.warn("cannot re-read gateway.upstream.headers.{} from {}: {}; keeping the previous value",
                            entry.header.name(), entry.header.file(), e.getClass().getSimpleName());
                }
            }
        }
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    private static final class Entry {
        final InjectedHeader header;
        volatile String value;
        private FileTime modified;
        private long size = -1;

        Entry(InjectedHeader header) {
            this.header = header;
            this.value = header.value();
        }

        /** Only on the constructor's thread, then only on the poller's. */
        void refresh(boolean force) throws IOException {
            Path file = header.file();
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!force && attributes.lastModifiedTime().equals(modified) && attributes.size() == size) {
                return;
            }
            String content = Files.readString(file, StandardCharsets.UTF_8);
            content = content.endsWith("\r\n") ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            if (content.indexOf('\n') >= 0 || content.indexOf('\r') >= 0 || content.indexOf('\0') >= 0) {
                throw new IOException("the value spans several lines");
            }
            value = header.prefix() + content;
            modified = attributes.lastModifiedTime();
            size = attributes.size();
        }
    }
}
