package org.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sluice.proxy.audit.AuditChain;
import org.sluice.proxy.audit.SigningKeys;

class KeygenCommandTest {

    @TempDir
    Path folder;

    @Test
    void writesAUsableKeyPairWithAPrivateFileOnlyItsOwnerReadsAndPrintsTheKeyId() throws Exception {
        Path out = folder.resolve("keys/new");

        CliResult result = CliResult.execute("audit", "keygen", "--out", out.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path privateFile = out.resolve("audit-signing.key");
        Path publicFile = out.resolve("audit-signing.pub");
        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))).isEqualTo("rw-------");
        PrivateKey key = SigningKeys.readPrivate(privateFile);
        PublicKey publicKey = SigningKeys.readPublic(publicFile);
        String prev = "ab".repeat(32);
        assertThat(AuditChain.verify(publicKey, prev, AuditChain.sign(key, prev))).isTrue();
        assertThat(result.out()).contains(privateFile.toString()).contains(publicFile.toString())
                .contains("keyId: " + AuditChain.keyId(publicKey) + "\n");
        assertThat(AuditChain.keyId(SigningKeys.publicKeyOf(key))).isEqualTo(AuditChain.keyId(publicKey));
        assertThat(result.err()).isEmpty();
    }

    @Test
    void refusesToOverwriteAnExistingKeyAndChangesNothing() throws Exception {
        CliResult first = CliResult.execute("audit", "keygen", "--out", folder.toString());
        assertThat(first.exitCode()).isZero();
        byte[] privateBefore = Files.readAllBytes(folder.resolve("audit-signing.key"));
        byte[] publicBefore = Files.readAllBytes(folder.resolve("audit-signing.pub"));

        CliResult second = CliResult.execute("audit", "keygen", "--out", folder.toString());

        assertThat(second.exitCode()).isEqualTo(2);
        assertThat(second.err()).startsWith("sluice audit keygen: " + folder.resolve("audit-signing.key")
                + " already exists; not overwriting a key");
        assertThat(second.out()).isEmpty();
        assertThat(Files.readAllBytes(folder.resolve("audit-signing.key"))).isEqualTo(privateBefore);
        assertThat(Files.readAllBytes(folder.resolve("audit-signing.pub"))).isEqualTo(publicBefore);
    }

    @Test
    void aLonePublicKeyAlsoBlocksAndNoPrivateKeyIsLeftBehind() throws Exception {
        Files.writeString(folder.resolve("audit-signing.pub"), "someone's key");

        CliResult result = CliResult.execute("audit", "keygen", "--out", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("audit-signing.pub already exists");
        assertThat(folder.resolve("audit-signing.key")).doesNotExist();
    }

    @Test
    void anOutThatIsAFileIsAnErrorNotACrash() throws Exception {
        Path file = Files.writeString(folder.resolve("plain"), "x");

        CliResult result = CliResult.execute("audit", "keygen", "--out", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("sluice audit keygen: cannot write the keys to " + file);
    }

    @Test
    void outIsRequiredAndAuditAloneShowsItsCommands() {
        assertThat(CliResult.execute("audit", "keygen").exitCode()).isEqualTo(2);
        CliResult bare = CliResult.execute("audit");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).startsWith("sluice audit: missing command (").contains("keygen");
    }
}
