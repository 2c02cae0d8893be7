package org.sluice.proxy.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void writtenKeysReadBackAndSignAndVerifyCheckpoints() throws Exception {
        KeyPair pair = SigningKeys.generate();
        Path privateFile = dir.resolve("k.key");
        Path publicFile = dir.resolve("k.pub");

        SigningKeys.write(pair, privateFile, publicFile);

        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("\n-----END PRIVATE KEY-----\n");
        assertThat(Files.readString(publicFile)).startsWith("-----BEGIN PUBLIC KEY-----\n")
                .endsWith("\n-----END PUBLIC KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))).isEqualTo("rw-------");
        PrivateKey key = SigningKeys.readPrivate(privateFile);
        PublicKey publicKey = SigningKeys.readPublic(publicFile);
        assertThat(key.getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(publicKey.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        String prev = "0123456789abcdef".repeat(4);
        assertThat(AuditChain.verify(publicKey, prev, AuditChain.sign(key, prev))).isTrue();
    }

    @Test
    void thePublicKeyIsDerivedFromThePrivateKeyAlone() throws Exception {
        for (int i = 0; i < 20; i++) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            assertThat(SigningKeys.publicKeyOf(pair.getPrivate()).getEncoded())
                    .isEqualTo(pair.getPublic().getEncoded());
        }
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        assertThatThrownBy(() -> SigningKeys.publicKeyOf(rsa.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void neverOverwritesEitherFile() throws IOException {
        Path privateFile = dir.resolve("k.key");
        Path publicFile = Files.writeString(dir.resolve("k.pub"), "precious");

        assertThatThrownBy(() -> SigningKeys.write(SigningKeys.generate(), privateFile, publicFile))
                .isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining("k.pub");

        assertThat(privateFile).doesNotExist();
        assertThat(Files.readString(publicFile)).isEqualTo("precious");
    }

    @Test
    void badFilesAreIoExceptionsThatNameTheFileAndTheProblem() throws Exception {
        Path missing = dir.resolve("missing.pub");
        Path notPem = Files.writeString(dir.resolve("text.pub"), "hello\n");
        Path garbled = Files.writeString(dir.resolve("garbled.pub"),
                "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n");
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path rsaPublic = Files.writeString(dir.resolve("rsa.pub"), SigningKeys.pem("PUBLIC KEY",
                rsa.getPublic().getEncoded()));
        Path privateAsPublic = dir.resolve("swapped.pub");
        SigningKeys.write(SigningKeys.generate(), privateAsPublic, dir.resolve("swapped.other"));
        Path huge = Files.write(dir.resolve("huge.pub"), new byte[100_000]);

        assertThatThrownBy(() -> SigningKeys.readPublic(missing)).isInstanceOf(IOException.class)
                .hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> SigningKeys.readPublic(notPem)).isInstanceOf(IOException.class)
                .hasMessage(notPem + ": not a PEM public key (expected -----BEGIN PUBLIC KEY----- ... "
                        + "-----END PUBLIC KEY-----)");
        assertThatThrownBy(() -> SigningKeys.readPublic(garbled)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(garbled + ": not an Ed25519 public key");
        assertThatThrownBy(() -> SigningKeys.readPublic(rsaPublic)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(rsaPublic + ": not an Ed25519 public key");
        assertThatThrownBy(() -> SigningKeys.readPublic(privateAsPublic)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(privateAsPublic + ": it holds a private key; pass the public key");
        assertThatThrownBy(() -> SigningKeys.readPublic(huge)).isInstanceOf(IOException.class)
                .hasMessage(huge + ": too large to be a PEM public key");
        Path badBase64 = Files.writeString(dir.resolve("bad64.key"),
                "-----BEGIN PRIVATE KEY-----\nAAAA=A\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> SigningKeys.readPrivate(badBase64)).isInstanceOf(IOException.class)
                .hasMessage(badBase64 + ": garbled PEM: its base64 does not decode");
        Path rsaPrivate = Files.writeString(dir.resolve("rsa.key"), SigningKeys.pem("PRIVATE KEY",
                rsa.getPrivate().getEncoded()));
        assertThatThrownBy(() -> SigningKeys.readPrivate(rsaPrivate)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(rsaPrivate + ": not an Ed25519 private key");
    }

    @Test
    void pemLinesAreSixtyFourCharacters() {
        String pem = SigningKeys.pem("PUBLIC KEY", new byte[100]);
        assertThat(pem.lines().skip(1).limit(2)).allMatch(line -> line.length() <= 64);
        assertThat(Base64.getMimeDecoder().decode(pem.lines().skip(1).limit(3).filter(l -> !l.startsWith("-----"))
                .reduce("", String::concat))).hasSize(100);
    }
}
