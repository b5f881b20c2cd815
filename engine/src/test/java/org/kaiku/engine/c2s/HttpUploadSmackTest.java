package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.httpfileupload.HttpFileUploadManager;
import org.jivesoftware.smackx.httpfileupload.element.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.kaiku.engine.testing.XmppTestClients;

/**
 * XEP-0363 with Smack's HttpFileUploadManager over real HTTPS: Alice finds the service in disco,
 * uploads a file, and Bob downloads the same bytes from the GET URL; a file over the size limit,
 * a quota reached, a PUT without or with a forged token, a wrong length and a second PUT into a
 * used slot each get the XEP's or HTTP's refusal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpUploadSmackTest {
    @TempDir
    static Path dataDir;
    @TempDir
    static Path files;
    private EngineNode node;
    private SSLContext trusting;
    private HttpClient http;

    @BeforeAll
    void start() throws Exception {
        node = new EngineNode(dataDir, Map.of("kaiku.upload.enabled", "on", "kaiku.upload.port", "0",
                "kaiku.upload.max-file-size", "100KiB", "kaiku.upload.quota-per-user", "150KiB"));
        node.addUser("alice@localhost", "alice-secret");
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new TrustManager[] {node.trust()}, null);
        http = HttpClient.newBuilder().sslContext(trusting).build();
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void aliceUploadsAndTheFileIsServed() throws Exception {
        XMPPTCPConnection alice = node.smack("alice", "alice-secret", "phone");
        try {
            alice.connect().login();
            HttpFileUploadManager upload = HttpFileUploadManager.getInstanceFor(alice);
            upload.setTlsContext(trusting);
            assertThat(upload.discoverUploadService()).isTrue();
            assertThat(upload.getDefaultUploadService().getAddress().toString()).isEqualTo("upload.localhost");
            assertThat(upload.getDefaultUploadService().getMaxFileSize()).isEqualTo(100 * 1024);

            byte[] content = new byte[60_000];
            new Random(7).nextBytes(content);
            Path file = Files.write(files.resolve("très cool.bin"), content);
            URL url = upload.uploadFile(file.toFile());
            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(url.toURI()).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(content);

            // too large: not-acceptable with file-too-large (Smack checks the size itself before asking,
            // so the request is sent as a hostile client would send it)
            var big = new org.jivesoftware.smackx.httpfileupload.element.SlotRequest(
                    upload.getDefaultUploadService().getAddress(), "big.bin", 200 * 1024);
            assertThat(XmppTestClients.errorCondition(() -> alice.sendIqRequestAndWaitForResponse(big)))
                    .isEqualTo(StanzaError.Condition.not_acceptable);
            // 60 KB stored, quota 150 KiB: another 95 KB does not fit
            assertThat(XmppTestClients.errorCondition(() -> upload.requestSlot("more.bin", 95_000)))
                    .isEqualTo(StanzaError.Condition.resource_constraint);

            Slot slot = upload.requestSlot("note.txt", 5, "text/plain");
            URI put = slot.getPutUrl().toURI();
            String auth = slot.getHeaders().get("Authorization");
            assertThat(status(HttpRequest.newBuilder(put).PUT(HttpRequest.BodyPublishers.ofString("hello")))).isEqualTo(403);
            assertThat(status(HttpRequest.newBuilder(put).header("Authorization", auth + "x")
                    .PUT(HttpRequest.BodyPublishers.ofString("hello")))).isEqualTo(403);
            assertThat(status(HttpRequest.newBuilder(put).header("Authorization", auth).header("Content-Type", "text/plain")
                    .PUT(HttpRequest.BodyPublishers.ofString("hello, too long")))).isEqualTo(400);
            assertThat(status(HttpRequest.newBuilder(put).header("Authorization", auth).header("Content-Type", "text/plain")
                    .PUT(HttpRequest.BodyPublishers.ofString("hello")))).isEqualTo(201);
            assertThat(status(HttpRequest.newBuilder(put).header("Authorization", auth).header("Content-Type", "text/plain")
                    .PUT(HttpRequest.BodyPublishers.ofString("world")))).isEqualTo(409);
            HttpResponse<String> note = http.send(HttpRequest.newBuilder(slot.getGetUrl().toURI()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(note.body()).isEqualTo("hello");
            assertThat(note.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(status(HttpRequest.newBuilder(URI.create(put.toString().replace("note.txt", "other.txt"))).GET()))
                    .isEqualTo(404);
        } finally {
            alice.disconnect();
        }
    }

    private int status(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
