package org.sluice.proxy.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the config file's folder (a WatchService watches folders, not files) and says when the file may have
 * changed: written in place, replaced by a rename (editors, {@code sed -i}), or reached through a symlink whose
 * first hop was swapped (a Kubernetes ConfigMap volume swaps {@code ..data}). It only signals; the reloader
 * decides by the file's SHA-256 whether anything changed. Events of other files in the folder, such as an
 * audit log written next to the config, are ignored.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Path folder;
    private final WatchService service;
    private final Runnable onChange;
    private final Thread thread;

    private ConfigWatcher(Path file, WatchService service, Runnable onChange) {
        this.file = file;
        this.folder = file.getParent();
        this.service = service;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "sluice-config-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching; {@code onChange} runs on the watcher's own thread and must not block. */
    static ConfigWatcher start(Path file, Runnable onChange) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        WatchService service = absolute.getFileSystem().newWatchService();
        try {
            absolute.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        ConfigWatcher watcher = new ConfigWatcher(absolute, service, onChange);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
                            || event.context() instanceof Path name && concernsTheFile(name);
                }
                boolean stillWatched = key.reset();
                if (relevant) {
                    onChange.run();
                }
                if (!stillWatched) {
                    log.warn("{} can no longer be watched (the folder is gone?); changes to {} are still found by "
                            + "the checksum poll and SIGHUP", folder, file.getFileName());
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException closed) {
            // close() was called.
        }
    }

    /** The file itself, or the first hop of its symlink when that lives in the same folder ({@code ..data}). */
    private boolean concernsTheFile(Path name) {
        if (name.equals(file.getFileName())) {
            return true;
        }
        if (!Files.isSymbolicLink(file)) {
            return false;
        }
        try {
            Path target = Files.readSymbolicLink(file);
            Path inFolder = target.isAbsolute() ? folder.relativize(target.normalize()) : target.normalize();
            return inFolder.getNameCount() > 0 && !inFolder.getName(0).toString().equals("..")
                    && name.equals(inFolder.getName(0));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Whether the watch thread still runs. */
    boolean watching() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            log.debug("closing the watch service of {} failed", folder, e);
        }
    }
}
