package org.sluice.proxy.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this build, from the pom.properties Maven packs into the jar; a classes-folder run is a development build. */
public final class SluiceBuild {
    private static final String POM_PROPERTIES = "/META-INF/maven/org.sluice/sluice-proxy/pom.properties";

    private SluiceBuild() {
    }

    /** "0.9.0", "(development build)" when not run from the jar, or "(unknown version)". */
    public static String version() {
        try (InputStream in = SluiceBuild.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return "(development build)";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "(unknown version)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + POM_PROPERTIES + " from the Sluice jar", e);
        }
    }
}
