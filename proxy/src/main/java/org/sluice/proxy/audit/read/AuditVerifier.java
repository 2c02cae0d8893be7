package org.sluice.proxy.audit.read;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.SigningKeys;

/**
 * {@code audit verify}: puts the given files in chain order (by the seq of their first complete line, so the
 * order they are named in does not matter), groups them by node, and walks each node's chain.
 */
public final class AuditVerifier {

    private final PublicKey key;
    private final String keyName;

    private AuditVerifier(PublicKey key, String keyName) {
        this.key = key;
        this.keyName = keyName;
    }

    /** Checkpoint signatures are not checked, only their place in the chain. */
    public static AuditVerifier withoutKey() {
        return new AuditVerifier(null, null);
    }

    /**
     * Checkpoints must carry keyFile's keyId and verify with it. Throws when keyFile cannot be read or is not an
     * Ed25519 public key in PEM; the message says which.
     */
    public static AuditVerifier withKey(Path keyFile) throws IOException {
        return new AuditVerifier(SigningKeys.readPublic(keyFile), keyFile.toString());
    }

    public VerifyReport verify(List<Path> files) throws IOException {
        List<Finding> damage = new ArrayList<>();
        List<Finding> warnings = new ArrayList<>();
        List<Path> empty = new ArrayList<>();
        Map<String, List<FileStart>> byNode = new LinkedHashMap<>();
        Set<Path> seen = new HashSet<>();
        for (Path file : files) {
            if (!seen.add(file.toAbsolutePath().normalize())) {
                continue; // named twice, e.g. by two overlapping globs
            }
            FileStart start = firstRecord(file, warnings);
            if (start == null) {
                empty.add(file);
            } else if (start.line() != null && start.line().entry().chainProblem() != null) {
                Located line = start.line();
                damage.add(new Finding(ChainWalk.NOT_CHAINED, line.where(), line.where() + ": "
                        + ChainWalk.NOT_CHAINED + ": " + line.entry().chainProblem() + "; written by a Sluice "
                        + "without the hash chain, or changed"));
            } else if (start.line() != null) {
                byNode.computeIfAbsent(start.line().entry().node(), node -> new ArrayList<>()).add(start);
            }
        }
        List<ChainReport> chains = new ArrayList<>();
        for (Map.Entry<String, List<FileStart>> node : byNode.entrySet()) {
            List<Path> ordered = node.getValue().stream()
                    .sorted(Comparator.comparingLong(FileStart::seq))
                    .map(FileStart::file)
                    .toList();
            chains.add(new ChainWalk(ordered, key, keyName).walk(node.getKey()));
        }
        return new VerifyReport(List.copyOf(chains), List.copyOf(damage), List.copyOf(warnings), List.copyOf(empty),
                key == null ? null : AuditChain.keyId(key));
    }

    /**
     * The file's first line that parses (line null when none does: its unparsable lines become torn-write
     * warnings), or null for an empty file.
     */
    private static FileStart firstRecord(Path file, List<Finding> warnings) throws IOException {
        List<Located> fragments = new ArrayList<>();
        try (AuditFileReader reader = AuditFiles.open(file)) {
            for (RawLine raw = AuditFiles.next(reader, file); raw != null; raw = AuditFiles.next(reader, file)) {
                Located line = new Located(file, 0, raw, AuditEntry.parse(raw));
                if (line.entry() != null) {
                    return new FileStart(file, line);
                }
                fragments.add(line);
            }
        }
        if (fragments.isEmpty()) {
            return null;
        }
        for (Located fragment : fragments) {
            warnings.add(ChainWalk.torn(fragment, "in a file without a single complete record"));
        }
        return new FileStart(file, null);
    }

    /** A file and its first line that parses. */
    private record FileStart(Path file, Located line) {
        long seq() {
            return line.entry().seq();
        }
    }
}
