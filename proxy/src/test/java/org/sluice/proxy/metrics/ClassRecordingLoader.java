package org.sluice.proxy.metrics;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test class path in a loader of its own, which notes every class it is asked for, the JDK's included: a test
 * can tell what a piece of code loads, in a JVM where other tests have loaded everything already.
 */
final class ClassRecordingLoader extends java.net.URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final Set<String> loaded = ConcurrentHashMap.newKeySet();

    private ClassRecordingLoader(URL[] path) {
        super("recording", path, ClassLoader.getPlatformClassLoader());
    }

    static ClassRecordingLoader ofTestClassPath() {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            try {
                urls.add(new File(entry).toURI().toURL());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ClassRecordingLoader(urls.toArray(URL[]::new));
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        loaded.add(name);
        return super.loadClass(name, resolve);
    }

    /** The names of the classes asked for so far, by this loader's classes. */
    Set<String> loaded() {
        return Set.copyOf(loaded);
    }
}
