package org.sluice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.SigningKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice audit keygen --out DIR}: a new Ed25519 key pair for signing audit checkpoints. */
@Command(
        name = "keygen",
        description = {
            "Make an Ed25519 key pair that signs the audit log's checkpoints.",
            "",
            "Writes DIR/" + KeygenCommand.PRIVATE_FILE + " (PKCS#8 PEM, mode 0600: point audit.signing.keyFile at "
                    + "it and keep it secret) and DIR/" + KeygenCommand.PUBLIC_FILE + " (PEM: give it to whoever "
                    + "verifies the log), and prints the key's id, which every checkpoint names.",
            "Never overwrites: if either file exists, nothing is written (exit 2)."})
final class KeygenCommand implements Callable<Integer> {

    static final String PRIVATE_FILE = "audit-signing.key";
    static final String PUBLIC_FILE = "audit-signing.pub";

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder for the two files (created if missing)")
    private Path out;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Path privateFile = out.resolve(PRIVATE_FILE);
        Path publicFile = out.resolve(PUBLIC_FILE);
        KeyPair pair = SigningKeys.generate();
        try {
            if (!Files.isDirectory(out)) {
                Files.createDirectories(out);
            }
        } catch (IOException e) {
            err.println("sluice audit keygen: cannot write the keys to " + out + ": " + (Files.exists(out)
                    ? "not a folder" : IoMessages.describe(e)));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        try {
            SigningKeys.write(pair, privateFile, publicFile);
        } catch (FileAlreadyExistsException e) {
            err.println("sluice audit keygen: " + e.getFile() + " already exists; not overwriting a key (move it "
                    + "away or choose another --out)");
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        } catch (IOException e) {
            err.println("sluice audit keygen: cannot write the keys to " + out + ": " + IoMessages.describe(e));
            err.flush();
            return SluiceCli.USAGE_OR_CONFIG_ERROR;
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("private key: " + privateFile + " (mode 0600; set audit.signing.keyFile to it)");
        stdout.println("public key:  " + publicFile + " (for verifying checkpoints)");
        stdout.println("keyId: " + AuditChain.keyId(pair.getPublic()));
        stdout.flush();
        return SluiceCli.OK;
    }
}
