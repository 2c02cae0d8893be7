package org.sluice.proxy.reload;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the folders of one or more files (a WatchService watches folders, not files) and says when one of the
 * files may have changed: written in place, replaced by a rename (editors, {@code sed -i}), or reached through a
 * symlink whose first hop was swapped (a Kubernetes ConfigMap or Secret volume swaps {@code ..data}). It only
 * signals; the caller decides by the content whether anything changed. Events of other files in the folders,
 * such as an audit log written next to the config, are ignored.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    /** Absolute, normalised; several may share a folder (a certificate and its key). */
    private final List<Path> files;
    private final WatchService service;
    private final Runnable onChange;
    private final Thread thread;

    private ConfigWatcher(List<Path> files, WatchService service, Runnable onChange) {
        this.files = files;
        this.service = service;
        this.onChange = onChange;
        this.thread = new Thread(this::run, "sluice-config-watch");
        this.thread.setDaemon(true);
    }

    /** Starts watching one file; {@code onChange} runs on the watcher's own thread and must not block. */
    static ConfigWatcher start(Path file, Runnable onChange) throws IOException {
        return start(List.of(file), onChange);
    }

    /** Starts watching the files (at least one); {@code onChange} runs on the watcher's own thread, must not block. */
    static ConfigWatcher start(List<Path> files, Runnable onChange) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no file to watch");
        }
        List<Path> absolute = files.stream().map(file -> file.toAbsolutePath().normalize()).toList();
        WatchService service = absolute.get(0).getFileSystem().newWatchService();
        try {
            for (Path folder : absolute.stream().map(Path::getParent).distinct().toList()) {
                folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        } catch (IOException | RuntimeException e) {
            service.close();
            throw e;
        }
        ConfigWatcher watcher = new ConfigWatcher(absolute, service, onChange);
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        long folders = files.stream().map(Path::getParent).distinct().count();
        try {
            while (folders > 0) {
                WatchKey key = service.take();
                Path folder = (Path) key.watchable();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
                            || event.context() instanceof Path name && concernsAFile(folder, name);
                }
                boolean stillWatched = key.reset();
                if (relevant) {
                    onChange.run();
                }
                if (!stillWatched) {
                    log.warn("{} can no longer be watched (the folder is gone?); changes to {} are still found by "
                            + "the checksum poll", folder, names(folder));
                    folders--;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException closed) {
            // close() was called.
        }
    }

    private boolean concernsAFile(Path folder, Path name) {
        return files.stream().anyMatch(file -> file.getParent().equals(folder) && concernsTheFile(file, name));
    }

    private String names(Path folder) {
        return files.stream().filter(file -> file.getParent().equals(folder)).map(file -> file.getFileName().toString())
                .collect(Collectors.joining(", "));
    }

    /** The file itself, or the first hop of its symlink when that lives in the same folder ({@code ..data}). */
    private static boolean concernsTheFile(Path file, Path name) {
        if (name.equals(file.getFileName())) {
            return true;
        }
        if (!Files.isSymbolicLink(file)) {
            return false;
        }
        try {
            Path target = Files.readSymbolicLink(file);
            Path inFolder = target.isAbsolute() ? file.getParent().relativize(target.normalize()) : target.normalize();
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
            log.debug("closing the watch service of {} failed", files, e);
        }
    }
}
