package org.sluice.cli;

import java.io.IOException;
import org.sluice.proxy.metrics.SluiceBuild;
import picocli.CommandLine.IVersionProvider;

/** The version picocli prints: the build's ({@link SluiceBuild}), the JVM's and the OS's. */
final class SluiceVersion implements IVersionProvider {

    @Override
    public String[] getVersion() throws IOException {
        return new String[] {
            "sluice " + projectVersion(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch")
        };
    }

    static String projectVersion() {
        return SluiceBuild.version();
    }
}
