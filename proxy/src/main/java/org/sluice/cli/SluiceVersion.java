package org.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Version from the pom.properties that Maven packs into the jar; a classes-folder run is a development build. */
final class SluiceVersion implements IVersionProvider {

    private static final String POM_PROPERTIES = "/META-INF/maven/org.sluice/sluice-proxy/pom.properties";

    @Override
    public String[] getVersion() throws IOException {
        return new String[] {
            "sluice " + projectVersion(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }

    static String projectVersion() throws IOException {
        try (InputStream in = SluiceVersion.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in == null) {
                return "(development build)";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "(unknown version)");
        }
    }
}
