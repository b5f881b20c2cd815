package org.kaiku.engine.muc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.kaiku.engine.module.Identity;
import org.kaiku.protocol.ext.muc.Muc;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The room's administration, for {@link RoomEntity}: disco#info and #items of the room (XEP-0045
 * sections 6.4, 6.5), the owner's configuration form and destruction (10.1, 10.2, 10.9), the
 * muc#admin lists and changes of roles (kick 8.2, voice 8.3/8.4, moderator 9.6) and affiliations
 * (ban 9.1, members 9.3, admins 10.6, owners 10.3), and mediated invitations (7.8.2, with the
 * decline of 7.8.3). Affiliation changes and configuration are journaled before anyone is told;
 * role changes live with the occupant, in memory.
 */
final class RoomAdmin {
    static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

    private final RoomEntity room;

    RoomAdmin(RoomEntity room) {
        this.room = room;
    }

    XmlElement discoInfo(RoomState s) {
        RoomConfig c = s.config();
        XmlElement.Builder q = XmlElement.builder("query", DISCO_INFO)
                .child(new Identity("conference", "text", c.name().isEmpty() ? room.room.local() : c.name()).toElement(DISCO_INFO));
        List<String> features = List.of(Muc.NAMESPACE, DISCO_INFO, DISCO_ITEMS, Muc.OCCUPANT_ID, Muc.SELF_PING_OPTIMIZATION,
                c.persistent() ? "muc_persistent" : "muc_temporary", c.isPublic() ? "muc_public" : "muc_hidden",
                c.membersOnly() ? "muc_membersonly" : "muc_open", c.moderated() ? "muc_moderated" : "muc_unmoderated",
                c.passwordProtected() ? "muc_passwordprotected" : "muc_unsecured",
                c.whoisAnyone() ? "muc_nonanonymous" : "muc_semianonymous");
        if (room.archive != null && c.persistent()) {
            features = new ArrayList<>(features);
            features.add("urn:xmpp:mam:2");
            features.add("urn:xmpp:sid:0");
        }
        features.forEach(f -> q.child(XmlElement.builder("feature", DISCO_INFO).attr("var", f).build()));
        q.child(new DataForm("result", List.of(
                DataForm.Field.of(DataForm.FORM_TYPE, "hidden", Muc.ROOMINFO),
                DataForm.Field.of("muc#roominfo_description", null, c.description()),
                DataForm.Field.of("muc#roominfo_subject", null, s.subject()),
                DataForm.Field.of("muc#roominfo_occupants", null, Integer.toString(room.occupants.size())),
                DataForm.Field.of("muc#roomconfig_roomname", null, c.name()))).toElement());
        return q.build();
    }

    /** Section 6.5: the occupants' room JIDs, to occupants and for public rooms; nothing otherwise. */
    XmlElement discoItems(RoomState s, Occupants.Occupant requester) {
        XmlElement.Builder q = XmlElement.builder("query", DISCO_ITEMS);
        if (requester != null || s.config().isPublic()) {
            for (Occupants.Occupant o : room.occupants.all()) {
                q.child(XmlElement.builder("item", DISCO_ITEMS).attr("jid", room.room.withResource(o.nick).toString()).build());
            }
        }
        return q.build();
    }

    // ---------------------------------------------------------------- owner

    EffectBuilder<RoomEvent, RoomState> owner(RoomState s, XmlElement iq, Jid from, XmlElement query) {
        if (s.affiliation(from.bare().toString()) != Muc.Affiliation.OWNER) {
            return room.reply(iq, StanzaError.Condition.FORBIDDEN, "only owners may do this");
        }
        if ("get".equals(iq.attr("type"))) {
            return room.result(iq, XmlElement.builder("query", Muc.OWNER)
                    .child(s.config().form(room.settings.maxOccupants()).toElement()).build());
        }
        XmlElement destroy = query.child("destroy", Muc.OWNER);
        if (destroy != null) {
            return destroy(s, iq, destroy);
        }
        DataForm form = DataForm.fromElement(query.child("x", DataForm.NAMESPACE)).orElse(null);
        if (form == null) {
            return room.reply(iq, StanzaError.Condition.BAD_REQUEST, "a muc#owner set carries a data form or destroy");
        }
        if ("cancel".equals(form.type())) {
            // section 10.1.3: cancelling the initial configuration destroys the locked room
            return s.locked() ? destroy(s, iq, XmlElement.of("destroy", Muc.OWNER)) : room.result(iq, null);
        }
        RoomConfig next;
        try {
            next = s.config().apply(form, room.settings.maxOccupants());
        } catch (IllegalArgumentException e) {
            return room.reply(iq, StanzaError.Condition.NOT_ACCEPTABLE, e.getMessage());
        }
        boolean wasLocked = s.locked();
        return room.persist(List.of(new RoomEvent.Configured(next))).thenRun(ns -> {
            room.send(Stanzas.iqResult(iq, null));
            if (ns.config().isPublic()) {
                room.directory().listed(room.room.toString(), ns.config().name(), ns.config().persistent());
            } else {
                room.directory().unlisted(room.room.toString());
            }
            if (!wasLocked) {
                notifyConfigChange(ns, s.config());
            }
            if (ns.config().membersOnly()) {
                for (Occupants.Occupant o : room.occupants.all()) {
                    if (ns.affiliation(o.jid.bare().toString()) == Muc.Affiliation.NONE) {
                        remove(ns, o, Muc.MEMBERS_ONLY_REMOVED, null, null);
                    }
                }
            }
        });
    }

    /** Section 10.2.1: status 104, plus 172/173 when the room's anonymity changed. */
    private void notifyConfigChange(RoomState s, RoomConfig before) {
        XmlElement.Builder x = XmlElement.builder("x", Muc.USER).child(Muc.status(Muc.CONFIG_CHANGED));
        if (before.whoisAnyone() != s.config().whoisAnyone()) {
            x.child(Muc.status(s.config().whoisAnyone() ? Muc.NOW_NON_ANONYMOUS : Muc.NOW_SEMI_ANONYMOUS));
        }
        XmlElement xe = x.build();
        for (Occupants.Occupant o : room.occupants.all()) {
            room.send(XmlElement.builder("message", "jabber:client").attr("from", room.room.toString())
                    .attr("to", o.jid.toString()).attr("type", "groupchat").child(xe).build());
        }
    }

    /** Section 10.9: every occupant gets unavailable with the destroy element; the room is gone. */
    private EffectBuilder<RoomEvent, RoomState> destroy(RoomState s, XmlElement iq, XmlElement destroy) {
        XmlElement.Builder d = XmlElement.builder("destroy", Muc.USER).attr("jid", destroy.attr("jid"));
        String reason = destroy.childText("reason", Muc.OWNER);
        if (reason != null) {
            d.textChild("reason", reason);
        }
        XmlElement destroyUser = d.build();
        return room.persist(List.of(new RoomEvent.Destroyed())).thenRun(ns -> {
            for (Occupants.Occupant o : room.occupants.all()) {
                XmlElement p = room.occupantPresence(s, o, o, "unavailable",
                        new Muc.Item("none", "none", null, null, null).toElement(Muc.USER), List.of(Muc.SELF), destroyUser);
                room.send(p);
            }
            room.occupants.clear();
            room.directory().unlisted(room.room.toString());
            room.send(Stanzas.iqResult(iq, null));
        });
    }

    // ---------------------------------------------------------------- admin

    EffectBuilder<RoomEvent, RoomState> admin(RoomState s, XmlElement iq, Jid from, Occupants.Occupant me, XmlElement query) {
        Muc.Affiliation actor = s.affiliation(from.bare().toString());
        List<XmlElement> items = query.elements("item", Muc.ADMIN);
        if (items.isEmpty()) {
            return room.reply(iq, StanzaError.Condition.BAD_REQUEST, "muc#admin needs an item");
        }
        if ("get".equals(iq.attr("type"))) {
            return list(s, iq, actor, me, Muc.Item.fromElement(items.get(0)));
        }
        List<RoomEvent> events = new ArrayList<>();
        List<java.util.function.Consumer<RoomState>> after = new ArrayList<>();
        Map<String, String> affiliations = new HashMap<>(s.affiliations());
        for (XmlElement e : items) {
            Muc.Item item = Muc.Item.fromElement(e);
            StanzaError error;
            if (item.affiliation() != null) {
                error = affiliation(s, affiliations, actor, item, events, after);
            } else if (item.role() != null && item.nick() != null) {
                error = role(s, actor, me, item, after);
            } else {
                error = StanzaError.of(StanzaError.Condition.BAD_REQUEST, "an item names an affiliation and a jid, or a role and a nick");
            }
            if (error != null) {
                return room.reply(iq, error.condition(), error.text());
            }
        }
        return room.persist(events).thenRun(ns -> {
            room.send(Stanzas.iqResult(iq, null));
            after.forEach(a -> a.accept(ns));
        });
    }

    /** Sections 9.5, 8.5, 10.5: the items with one affiliation (admins and owners) or role (moderators). */
    private EffectBuilder<RoomEvent, RoomState> list(RoomState s, XmlElement iq, Muc.Affiliation actor, Occupants.Occupant me,
                                                     Muc.Item wanted) {
        XmlElement.Builder q = XmlElement.builder("query", Muc.ADMIN);
        Muc.Affiliation a = Muc.Affiliation.of(wanted.affiliation());
        Muc.Role r = Muc.Role.of(wanted.role());
        if (a != null) {
            if (!actor.isAdminOrOwner()) {
                return room.reply(iq, StanzaError.Condition.FORBIDDEN, "only admins and owners see affiliation lists");
            }
            s.affiliations().forEach((jid, aff) -> {
                if (aff.equals(a.value())) {
                    q.child(new Muc.Item(aff, null, jid, null, null).toElement(Muc.ADMIN));
                }
            });
        } else if (r != null) {
            if (me == null || me.role != Muc.Role.MODERATOR) {
                return room.reply(iq, StanzaError.Condition.FORBIDDEN, "only moderators see role lists");
            }
            for (Occupants.Occupant o : room.occupants.all()) {
                if (o.role == r) {
                    q.child(new Muc.Item(s.affiliation(o.jid.bare().toString()).value(), o.role.value(), o.jid.toString(),
                            o.nick, null).toElement(Muc.ADMIN));
                }
            }
        } else {
            return room.reply(iq, StanzaError.Condition.BAD_REQUEST, "ask for an affiliation or a role");
        }
        return room.result(iq, q.build());
    }

    /**
     * One affiliation change. Owners may change any; admins only among member, none and outcast
     * (sections 9 and 10). The last owner cannot be removed (10.6: conflict).
     */
    private StanzaError affiliation(RoomState s, Map<String, String> affiliations, Muc.Affiliation actor, Muc.Item item,
                                    List<RoomEvent> events, List<java.util.function.Consumer<RoomState>> after) {
        Muc.Affiliation to = Muc.Affiliation.of(item.affiliation());
        Jid jid = item.jid() == null ? null : Jid.tryParse(item.jid()).orElse(null);
        if (to == null || jid == null) {
            return StanzaError.of(StanzaError.Condition.BAD_REQUEST, "an affiliation change needs a known affiliation and a jid");
        }
        String bare = jid.bare().toString();
        Muc.Affiliation current = Muc.Affiliation.of(affiliations.getOrDefault(bare, "none"));
        boolean lowRanks = current != Muc.Affiliation.OWNER && current != Muc.Affiliation.ADMIN
                && to != Muc.Affiliation.OWNER && to != Muc.Affiliation.ADMIN;
        if (!(actor == Muc.Affiliation.OWNER || actor == Muc.Affiliation.ADMIN && lowRanks)) {
            return StanzaError.of(StanzaError.Condition.FORBIDDEN, "you may not change this affiliation");
        }
        if (current == Muc.Affiliation.OWNER && to != Muc.Affiliation.OWNER
                && affiliations.values().stream().filter("owner"::equals).count() <= 1) {
            return StanzaError.of(StanzaError.Condition.CONFLICT, "a room keeps at least one owner");
        }
        if (to == Muc.Affiliation.NONE) {
            affiliations.remove(bare);
        } else {
            affiliations.put(bare, to.value());
        }
        events.add(new RoomEvent.AffiliationChanged(bare, to.value()));
        after.add(ns -> {
            for (Occupants.Occupant o : room.occupants.withBareJid(bare)) {
                if (to == Muc.Affiliation.OUTCAST) {
                    remove(ns, o, Muc.BANNED, null, item.reason());
                } else if (to == Muc.Affiliation.NONE && ns.config().membersOnly()) {
                    remove(ns, o, Muc.AFFILIATION_REMOVED, null, item.reason());
                } else {
                    o.role = RoomEntity.defaultRole(to, ns.config());
                    room.broadcastPresence(ns, o, null, List.of());
                }
            }
        });
        return null;
    }

    /** One role change by nick: kick (none), voice (participant/visitor), moderator (section 8, 9.6). */
    private StanzaError role(RoomState s, Muc.Affiliation actor, Occupants.Occupant me, Muc.Item item, List<java.util.function.Consumer<RoomState>> after) {
        Muc.Role to = Muc.Role.of(item.role());
        if (to == null) {
            return StanzaError.of(StanzaError.Condition.BAD_REQUEST, "unknown role " + item.role());
        }
        if (me == null || me.role != Muc.Role.MODERATOR) {
            return StanzaError.of(StanzaError.Condition.FORBIDDEN, "only moderators change roles");
        }
        Occupants.Occupant target = room.occupants.byNick(item.nick());
        if (target == null) {
            return StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND, "no occupant has that nickname");
        }
        Muc.Affiliation targetAff = s.affiliation(target.jid.bare().toString());
        if (targetAff.isAdminOrOwner() && to != Muc.Role.MODERATOR) {
            return StanzaError.of(StanzaError.Condition.NOT_ALLOWED, "admins and owners keep their role");
        }
        if ((to == Muc.Role.MODERATOR || target.role == Muc.Role.MODERATOR) && !actor.isAdminOrOwner()) {
            return StanzaError.of(StanzaError.Condition.NOT_ALLOWED, "only admins and owners grant or revoke moderation");
        }
        after.add(ns -> {
            if (to == Muc.Role.NONE) {
                remove(ns, target, Muc.KICKED, me.nick, item.reason());
            } else {
                target.role = to;
                room.broadcastPresence(ns, target, null, List.of());
            }
        });
        return null;
    }

    /** The occupant is removed with {@code code} (301 ban, 307 kick, 321/322 membership); everyone is told. */
    void remove(RoomState s, Occupants.Occupant o, int code, String actorNick, String reason) {
        o.role = Muc.Role.NONE;
        for (Occupants.Occupant r : room.occupants.all()) {
            List<Integer> codes = new ArrayList<>();
            if (r == o) {
                codes.add(Muc.SELF);
            }
            codes.add(code);
            XmlElement item = room.item(s, o, r, null, null, null).toElement(Muc.USER);
            if (actorNick != null) {
                item = item.withChild(XmlElement.builder("actor", Muc.USER).attr("nick", actorNick).build());
            }
            if (reason != null) {
                item = item.withChild(XmlElement.builder("reason", Muc.USER).text(reason).build());
            }
            room.send(room.occupantPresence(s, o, r, "unavailable", item, codes, null));
        }
        room.occupants.remove(o);
    }

    // ---------------------------------------------------------------- invitations

    /**
     * Section 7.8.2: the room sends the invitation from its own JID (with the password of a
     * protected room); in a members-only room the invitee becomes a member, which only admins,
     * owners, or occupants where allowinvites is on may cause. 7.8.3: a decline goes to the inviter.
     */
    EffectBuilder<RoomEvent, RoomState> invitation(RoomState s, XmlElement m, Jid from, Occupants.Occupant me, XmlElement x) {
        XmlElement decline = x.child("decline", Muc.USER);
        if (decline != null) {
            Jid to = decline.attr("to") == null ? null : Jid.tryParse(decline.attr("to")).orElse(null);
            if (to == null) {
                return room.reply(m, StanzaError.Condition.BAD_REQUEST, "a decline names the inviter in 'to'");
            }
            XmlElement.Builder d = XmlElement.builder("decline", Muc.USER).attr("from", from.bare().toString());
            String reason = decline.childText("reason", Muc.USER);
            if (reason != null) {
                d.textChild("reason", reason);
            }
            room.send(XmlElement.builder("message", "jabber:client").attr("from", room.room.toString()).attr("to", to.toString())
                    .child(XmlElement.builder("x", Muc.USER).child(d.build()).build()).build());
            return room.effectNone();
        }
        if (me == null) {
            return room.reply(m, StanzaError.Condition.NOT_ACCEPTABLE, "only occupants may invite");
        }
        Muc.Affiliation a = s.affiliation(from.bare().toString());
        if (s.config().membersOnly() && !a.isAdminOrOwner() && !s.config().allowInvites()) {
            return room.reply(m, StanzaError.Condition.FORBIDDEN, "only admins may invite to this members-only room");
        }
        List<RoomEvent> events = new ArrayList<>();
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement invite : x.elements("invite", Muc.USER)) {
            Jid to = invite.attr("to") == null ? null : Jid.tryParse(invite.attr("to")).orElse(null);
            if (to == null) {
                return room.reply(m, StanzaError.Condition.JID_MALFORMED, "an invite names the invitee in 'to'");
            }
            if (s.config().membersOnly() && s.affiliation(to.bare().toString()) == Muc.Affiliation.NONE) {
                events.add(new RoomEvent.AffiliationChanged(to.bare().toString(), "member"));
            }
            XmlElement.Builder inv = XmlElement.builder("invite", Muc.USER).attr("from", from.bare().toString());
            String reason = invite.childText("reason", Muc.USER);
            if (reason != null) {
                inv.textChild("reason", reason);
            }
            XmlElement.Builder ux = XmlElement.builder("x", Muc.USER).child(inv.build());
            if (s.config().passwordProtected()) {
                ux.textChild("password", s.config().password());
            }
            out.add(XmlElement.builder("message", "jabber:client").attr("from", room.room.toString()).attr("to", to.toString())
                    .attr("id", m.attr("id")).child(ux.build())
                    .child(XmlElement.builder("body", "jabber:client").text(from.bare() + " invites you to the room " + room.room
                            + (reason == null ? "" : ": " + reason)).build())
                    .build());
        }
        return room.persist(events).thenRun(ns -> out.forEach(room::send));
    }
}
