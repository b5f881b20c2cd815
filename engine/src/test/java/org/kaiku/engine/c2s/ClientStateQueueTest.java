package org.kaiku.engine.c2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kaiku.protocol.ext.carbons.Carbons;
import org.kaiku.protocol.ext.forward.Forwarded;
import org.kaiku.protocol.xml.XmlElement;

class ClientStateQueueTest {
    private static final String CLIENT = "jabber:client";

    private static XmlElement presence(String from, String status) {
        return XmlElement.builder("presence", CLIENT).attr("from", from).attr("to", "alice@localhost/phone")
                .child(XmlElement.builder("status", CLIENT).text(status).build()).build();
    }

    private static XmlElement chatState(String from, String state) {
        return XmlElement.builder("message", CLIENT).attr("from", from).attr("to", "alice@localhost/phone").attr("type", "chat")
                .child(XmlElement.of(state, ClientStateQueue.CHAT_STATES)).build();
    }

    private static XmlElement body(String from, String text) {
        return XmlElement.builder("message", CLIENT).attr("from", from).attr("to", "alice@localhost/phone").attr("type", "chat")
                .child(XmlElement.of("active", ClientStateQueue.CHAT_STATES))
                .child(XmlElement.builder("body", CLIENT).text(text).build()).build();
    }

    private static List<XmlElement> stanzas(List<ClientStateQueue.Held> held) {
        return held.stream().map(ClientStateQueue.Held::stanza).toList();
    }

    @Test
    void activeClientsGetEverythingAtOnce() {
        ClientStateQueue q = new ClientStateQueue();
        XmlElement p = presence("bob@localhost/a", "one");
        assertThat(stanzas(q.offer(p, 1))).containsExactly(p);
        assertThat(q.size()).isZero();
    }

    @Test
    void presenceIsCoalescedPerResourceAndChatStatesPerSenderUntilABodyFlushes() {
        ClientStateQueue q = new ClientStateQueue();
        q.goInactive();
        assertThat(q.offer(presence("bob@localhost/a", "one"), 1)).isEmpty();
        assertThat(q.offer(presence("carol@localhost/x", "c1"), 2)).isEmpty();
        assertThat(q.offer(chatState("bob@localhost/a", "composing"), 3)).isEmpty();
        assertThat(q.offer(presence("bob@localhost/a", "two"), 4)).isEmpty();
        assertThat(q.offer(chatState("bob@localhost/a", "paused"), 5)).isEmpty();
        assertThat(q.size()).isEqualTo(3);
        XmlElement hello = body("bob@localhost/a", "hello");
        List<ClientStateQueue.Held> flushed = q.offer(hello, 6);
        assertThat(stanzas(flushed)).containsExactly(presence("carol@localhost/x", "c1"), presence("bob@localhost/a", "two"),
                chatState("bob@localhost/a", "paused"), hello);
        assertThat(flushed).extracting(ClientStateQueue.Held::seq).containsExactly(2L, 4L, 5L, 6L);
        assertThat(q.inactive()).isTrue();
        assertThat(q.size()).isZero();
    }

    @Test
    void iqsSubscriptionsAndErrorsAreNotHeld() {
        ClientStateQueue q = new ClientStateQueue();
        q.goInactive();
        q.offer(presence("bob@localhost/a", "one"), 1);
        XmlElement iq = XmlElement.builder("iq", CLIENT).attr("from", "bob@localhost/a").attr("type", "get").attr("id", "1").build();
        assertThat(stanzas(q.offer(iq, 0))).containsExactly(presence("bob@localhost/a", "one"), iq);
        XmlElement subscribe = XmlElement.builder("presence", CLIENT).attr("from", "bob@localhost").attr("type", "subscribe").build();
        assertThat(stanzas(q.offer(subscribe, 2))).containsExactly(subscribe);
        XmlElement error = chatState("bob@localhost/a", "composing").withAttr("type", "error");
        assertThat(stanzas(q.offer(error, 3))).containsExactly(error);
        XmlElement noFrom = XmlElement.builder("presence", CLIENT).build();
        assertThat(stanzas(q.offer(noFrom, 4))).containsExactly(noFrom);
    }

    @Test
    void aCarbonOfAChatStateIsHeldAndACarbonWithABodyFlushes() {
        ClientStateQueue q = new ClientStateQueue();
        q.goInactive();
        XmlElement copy = carbon(chatState("alice@localhost/desk", "composing").withAttr("to", "bob@localhost"));
        assertThat(q.offer(copy, 1)).isEmpty();
        XmlElement newer = carbon(chatState("alice@localhost/desk", "paused").withAttr("to", "bob@localhost"));
        assertThat(q.offer(newer, 2)).isEmpty();
        XmlElement sent = carbon(body("alice@localhost/desk", "hi").withAttr("to", "bob@localhost"));
        assertThat(stanzas(q.offer(sent, 3))).containsExactly(newer, sent);
    }

    @Test
    void goingActiveFlushesAndTheQueueIsBounded() {
        ClientStateQueue q = new ClientStateQueue();
        q.goInactive();
        for (int i = 0; i < ClientStateQueue.MAX_HELD; i++) {
            assertThat(q.offer(presence("user" + i + "@localhost/r", "s"), i + 1)).isEmpty();
        }
        // a replacement needs no room
        assertThat(q.offer(presence("user0@localhost/r", "newer"), 1000)).isEmpty();
        List<ClientStateQueue.Held> overflow = q.offer(presence("one-more@localhost/r", "s"), 1001);
        assertThat(overflow).hasSize(ClientStateQueue.MAX_HELD + 1);
        assertThat(q.offer(presence("bob@localhost/a", "later"), 1002)).isEmpty();
        assertThat(stanzas(q.goActive())).containsExactly(presence("bob@localhost/a", "later"));
        assertThat(q.inactive()).isFalse();
    }

    private static XmlElement carbon(XmlElement inner) {
        return XmlElement.builder("message", CLIENT).attr("from", "alice@localhost").attr("to", "alice@localhost/phone")
                .child(XmlElement.builder("sent", Carbons.NAMESPACE)
                        .child(XmlElement.builder("forwarded", Forwarded.NAMESPACE).child(inner).build()).build())
                .build();
    }
}
