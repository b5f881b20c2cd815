package org.kaiku.engine.user;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorRef;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.engine.session.SessionMessage;

/**
 * Everything the account entity remembers: the roster (RFC 6121 section 2) and its version
 * (section 2.6), inbound subscription requests still waiting for an answer (section 3.1.3, kept
 * as the stanza's XML), and the online resources with the presence each last broadcast (section
 * 4). Immutable: {@link #apply} returns a new state, which is what the journal replays.
 *
 * <p>The roster version is a counter bumped by every event that adds, changes or removes an item,
 * so it is rebuilt exactly by replay and carried by snapshots; it never goes back, so a version
 * a client cached always names one roster. A snapshot written before versioning has no such
 * field and reads back as 0, counting on from there: no client was handed a version then.
 *
 * @param roster        items by contact JID
 * @param pendingIn     pending inbound subscription requests: requester's bare JID to stanza XML
 * @param resources     bound resources by resourcepart
 * @param rosterVersion count of roster changes so far; its decimal form is the 'ver' string
 * @param blocked       the blocklist (XEP-0191): prepared JIDs, matched as its section 6 says;
 *                      a snapshot from before blocking existed reads back as empty
 * @param profile       the XEP-0153 photo hash and the XEP-0012 last logout; a snapshot from
 *                      before they existed reads back as {@link Profile#UNKNOWN}
 */
public record UserState(Map<String, RosterItem> roster, Map<String, String> pendingIn,
                        Map<String, OnlineResource> resources, long rosterVersion, Set<String> blocked,
                        Profile profile)
        implements CborSerializable {

    /**
     * What the server says about the account to others beside presence itself.
     *
     * @param photoHash     the XEP-0153 hash of the stored vCard's photo ("" for none), null
     *                      while the entity has not read it yet
     * @param lastLogout    when the last resource logged out, epoch milliseconds; 0 when never
     *                      recorded (XEP-0012 section 3)
     * @param lastStatus    the status text of that resource's last unavailable presence, or null
     */
    public record Profile(String photoHash, long lastLogout, String lastStatus) implements CborSerializable {
        public static final Profile UNKNOWN = new Profile(null, 0, null);

        Profile withPhotoHash(String hash) {
            return new Profile(hash, lastLogout, lastStatus);
        }

        Profile withLogout(long at, String status) {
            return new Profile(photoHash, at, status);
        }
    }

    /**
     * One bound resource (RFC 6120 section 7). It is "available" once it sent presence without
     * a type (RFC 6121 section 4.2) and until it sends unavailable; a bound resource that never
     * did is connected but receives no broadcasts.
     *
     * @param session         the connection actor that owns the resource
     * @param rosterRequested the resource fetched the roster, so it gets pushes (section 2.1.6)
     * @param available       it sent initial presence and not yet unavailable
     * @param priority        priority of its last available presence (section 4.7.2.3)
     * @param presence        its last available presence as XML (no 'to'), null when unavailable
     * @param directed        JIDs it sent directed available presence to (section 4.6)
     * @param carbons         it enabled Message Carbons (XEP-0280); a snapshot from before
     *                        carbons existed reads back as false
     * @param blocklistRequested it fetched the blocklist, so it gets block/unblock pushes (XEP-0191 section 3)
     */
    public record OnlineResource(ActorRef<SessionMessage> session, boolean rosterRequested, boolean available,
                                 int priority, String presence, Set<String> directed, boolean carbons,
                                 boolean blocklistRequested)
            implements CborSerializable {
        public OnlineResource {
            directed = directed == null ? Set.of() : Set.copyOf(directed);
        }

        static OnlineResource bound(ActorRef<SessionMessage> session) {
            return new OnlineResource(session, false, false, 0, null, Set.of(), false, false);
        }

        OnlineResource withCarbons(boolean enabled) {
            return new OnlineResource(session, rosterRequested, available, priority, presence, directed, enabled,
                    blocklistRequested);
        }

        OnlineResource withBlocklistRequested() {
            return new OnlineResource(session, rosterRequested, available, priority, presence, directed, carbons, true);
        }
    }

    public UserState {
        roster = roster == null ? Map.of() : Map.copyOf(roster);
        pendingIn = pendingIn == null ? Map.of() : Map.copyOf(pendingIn);
        resources = resources == null ? Map.of() : Map.copyOf(resources);
        blocked = blocked == null ? Set.of() : Set.copyOf(blocked);
        profile = profile == null ? Profile.UNKNOWN : profile;
    }

    /** A state whose profile is not known yet. */
    public UserState(Map<String, RosterItem> roster, Map<String, String> pendingIn,
                     Map<String, OnlineResource> resources, long rosterVersion, Set<String> blocked) {
        this(roster, pendingIn, resources, rosterVersion, blocked, Profile.UNKNOWN);
    }

    /** A state with nothing blocked. */
    public UserState(Map<String, RosterItem> roster, Map<String, String> pendingIn,
                     Map<String, OnlineResource> resources, long rosterVersion) {
        this(roster, pendingIn, resources, rosterVersion, Set.of(), Profile.UNKNOWN);
    }

    public static UserState empty() {
        return new UserState(Map.of(), Map.of(), Map.of(), 0, Set.of(), Profile.UNKNOWN);
    }

    /** The roster version as sent in 'ver' attributes (RFC 6121 section 2.6). */
    public String rosterVer() {
        return Long.toString(rosterVersion);
    }

    /** The roster item for this contact, or null. */
    public RosterItem item(String jid) {
        return roster.get(jid);
    }

    /** The subscription state with this contact, NONE when there is no item. */
    public RosterItem.Subscription subscription(String jid) {
        RosterItem i = roster.get(jid);
        return i == null ? RosterItem.Subscription.NONE : i.subscription();
    }

    /** Available resources by name (insertion order is not meaningful). */
    public Map<String, OnlineResource> availableResources() {
        Map<String, OnlineResource> out = new LinkedHashMap<>();
        resources.forEach((name, r) -> {
            if (r.available()) {
                out.put(name, r);
            }
        });
        return out;
    }

    /** Resources that requested the roster and so receive roster pushes. */
    public Map<String, OnlineResource> interestedResources() {
        Map<String, OnlineResource> out = new LinkedHashMap<>();
        resources.forEach((name, r) -> {
            if (r.rosterRequested()) {
                out.put(name, r);
            }
        });
        return out;
    }

    /** The state after one journaled event. */
    public UserState apply(UserEvent event) {
        if (event instanceof UserEvent.AccountErased) {
            return new UserState(Map.of(), Map.of(), Map.of(), rosterVersion + 1, Set.of(), Profile.UNKNOWN);
        }
        if (event instanceof UserEvent.ResourceBound e) {
            return withResource(e.resource(), OnlineResource.bound(e.session()));
        } else if (event instanceof UserEvent.ResourceResumed e) {
            return updateResource(e.resource(), r -> new OnlineResource(e.session(), r.rosterRequested(), r.available(),
                    r.priority(), r.presence(), r.directed(), r.carbons(), r.blocklistRequested()));
        } else if (event instanceof UserEvent.ResourceUnbound e) {
            Map<String, OnlineResource> r = new HashMap<>(resources);
            r.remove(e.resource());
            return new UserState(roster, pendingIn, r, rosterVersion, blocked, profile);
        } else if (event instanceof UserEvent.RosterRequested e) {
            return updateResource(e.resource(), r -> new OnlineResource(r.session(), true, r.available(),
                    r.priority(), r.presence(), r.directed(), r.carbons(), r.blocklistRequested()));
        } else if (event instanceof UserEvent.PresenceChanged e) {
            return updateResource(e.resource(), r -> new OnlineResource(r.session(), r.rosterRequested(), true,
                    e.priority(), e.presence(), r.directed(), r.carbons(), r.blocklistRequested()));
        } else if (event instanceof UserEvent.PresenceWithdrawn e) {
            return updateResource(e.resource(), r -> new OnlineResource(r.session(), r.rosterRequested(), false,
                    0, null, Set.of(), r.carbons(), r.blocklistRequested()));
        } else if (event instanceof UserEvent.DirectedPresenceAdded e) {
            return updateResource(e.resource(), r -> {
                Set<String> d = new HashSet<>(r.directed());
                d.add(e.jid());
                return new OnlineResource(r.session(), r.rosterRequested(), r.available(), r.priority(), r.presence(), d,
                        r.carbons(), r.blocklistRequested());
            });
        } else if (event instanceof UserEvent.DirectedPresenceRemoved e) {
            return updateResource(e.resource(), r -> {
                Set<String> d = new HashSet<>(r.directed());
                d.remove(e.jid());
                return new OnlineResource(r.session(), r.rosterRequested(), r.available(), r.priority(), r.presence(), d,
                        r.carbons(), r.blocklistRequested());
            });
        } else if (event instanceof UserEvent.CarbonsToggled e) {
            return updateResource(e.resource(), r -> r.withCarbons(e.enabled()));
        } else if (event instanceof UserEvent.BlocklistRequested e) {
            return updateResource(e.resource(), OnlineResource::withBlocklistRequested);
        } else if (event instanceof UserEvent.Blocked e) {
            Set<String> b = new HashSet<>(blocked);
            b.addAll(e.jids());
            return new UserState(roster, pendingIn, resources, rosterVersion, b, profile);
        } else if (event instanceof UserEvent.Unblocked e) {
            Set<String> b = new HashSet<>(blocked);
            if (e.jids().isEmpty()) {
                b.clear();
            } else {
                e.jids().forEach(b::remove);
            }
            return new UserState(roster, pendingIn, resources, rosterVersion, b, profile);
        } else if (event instanceof UserEvent.PhotoHashChanged e) {
            return new UserState(roster, pendingIn, resources, rosterVersion, blocked, profile.withPhotoHash(e.hash()));
        } else if (event instanceof UserEvent.LoggedOut e) {
            return new UserState(roster, pendingIn, resources, rosterVersion, blocked, profile.withLogout(e.at(), e.status()));
        } else if (event instanceof UserEvent.RosterItemSaved e) {
            Map<String, RosterItem> r = new HashMap<>(roster);
            r.put(e.item().jid(), e.item());
            return new UserState(r, pendingIn, resources, rosterVersion + 1, blocked, profile);
        } else if (event instanceof UserEvent.RosterItemRemoved e) {
            Map<String, RosterItem> r = new HashMap<>(roster);
            r.remove(e.jid());
            return new UserState(r, pendingIn, resources, rosterVersion + 1, blocked, profile);
        } else if (event instanceof UserEvent.SubscriptionRequestStored e) {
            Map<String, String> p = new HashMap<>(pendingIn);
            p.put(e.jid(), e.stanza());
            return new UserState(roster, p, resources, rosterVersion, blocked, profile);
        } else if (event instanceof UserEvent.SubscriptionRequestRemoved e) {
            Map<String, String> p = new HashMap<>(pendingIn);
            p.remove(e.jid());
            return new UserState(roster, p, resources, rosterVersion, blocked, profile);
        }
        throw new IllegalArgumentException("unknown event " + event);
    }

    private UserState withResource(String name, OnlineResource r) {
        Map<String, OnlineResource> m = new HashMap<>(resources);
        m.put(name, r);
        return new UserState(roster, pendingIn, m, rosterVersion, blocked, profile);
    }

    private UserState updateResource(String name, UnaryOperator<OnlineResource> f) {
        OnlineResource r = resources.get(name);
        return r == null ? this : withResource(name, f.apply(r));
    }
}
