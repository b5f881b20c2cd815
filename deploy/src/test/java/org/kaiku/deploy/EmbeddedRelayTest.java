package org.kaiku.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay `kaiku run` embeds: off leaves the configuration alone; on, it answers STUN on its
 * port and is announced as a STUN and a TURN service for XEP-0215, the TURN one with the secret
 * made on first run in {@code relay.secret} (owner-only) and kept across starts.
 */
class EmbeddedRelayTest {
    @TempDir
    Path dataDir;

    private static Config config(boolean enabled) {
        return ConfigFactory.parseMap(Map.of("kaiku.relay.enabled", enabled, "kaiku.relay.port", 0, "kaiku.relay.socks5.port", 0,
                "pekko.loglevel", "WARNING")).withFallback(ConfigFactory.load());
    }

    @Test
    void offChangesNothing() {
        EmbeddedRelay.Started s = EmbeddedRelay.start(config(false), dataDir);
        assertThat(s.relay()).isNull();
        assertThat(s.config().getList("kaiku.external-services.services")).isEmpty();
    }

    @Test
    void onServesStunAndIsAnnouncedWithAKeptSecret() throws Exception {
        EmbeddedRelay.Started s = EmbeddedRelay.start(config(true), dataDir);
        String secret;
        try {
            List<? extends Config> services = s.config().getConfigList("kaiku.external-services.services");
            assertThat(services).extracting(c -> c.getString("type") + "/" + c.getString("transport"))
                    .containsExactly("stun/udp", "turn/udp", "stun/tcp", "turn/tcp");
            assertThat(services.get(3).getString("secret")).isEqualTo(services.get(1).getString("secret"));
            assertThat(services.get(1).getInt("port")).isEqualTo(s.relay().stunAddress().getPort());
            secret = services.get(1).getString("secret");
            assertThat(secret).isNotEmpty().isEqualTo(Files.readString(dataDir.resolve("relay.secret")));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("relay.secret"))))
                    .isEqualTo("rw-------");
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                byte[] binding = new byte[20];
                binding[1] = 0x01;
                binding[4] = 0x21;
                binding[5] = 0x12;
                binding[6] = (byte) 0xA4;
                binding[7] = 0x42;
                binding[19] = 7;
                client.setSoTimeout(30_000);
                client.send(new DatagramPacket(binding, binding.length, s.relay().stunAddress()));
                DatagramPacket answer = new DatagramPacket(new byte[512], 512);
                client.receive(answer);
                assertThat(answer.getData()[0]).isEqualTo((byte) 0x01);
                assertThat(answer.getData()[1]).isEqualTo((byte) 0x01); // Binding success
            }
        } finally {
            s.relay().close();
        }
        EmbeddedRelay.Started again = EmbeddedRelay.start(config(true), dataDir);
        try {
            assertThat(again.config().getString("kaiku.relay.shared-secret")).isEqualTo(secret);
        } finally {
            again.relay().close();
        }
    }
}
