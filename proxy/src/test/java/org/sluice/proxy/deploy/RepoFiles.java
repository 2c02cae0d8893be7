package org.sluice.proxy.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root: tests run in proxy/, so look there and upwards for the parent pom and deploy/. */
final class RepoFiles {

    private RepoFiles() {
    }

    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("pom.xml"))
                    && Files.isDirectory(dir.resolve("proxy"))) {
                return dir;
            }
        }
        throw new AssertionError("no deploy/ folder next to a pom.xml in " + Path.of("").toAbsolutePath()
                + " or above");
    }
}
