package org.kaiku.deploy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * One selector thread driving many {@link BenchClient}s, so that tens of thousands of sessions
 * cost a few threads rather than one thread each. Everything a client does runs on its loop's
 * thread; other threads hand work over with {@link #execute}. The loop also owns the scratch
 * buffers its clients read, decrypt and encrypt through, so an idle session keeps no buffer of
 * its own (only bytes of a partial TLS record or of an unfinished write).
 */
final class EventLoop implements AutoCloseable {
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private volatile boolean stopped;
    private long timerSeq;

    /** Encrypted bytes read from a socket (room for a held-back partial record and a read). */
    ByteBuffer netIn = ByteBuffer.allocate(128 * 1024);
    /** Decrypted bytes of one unwrap. */
    ByteBuffer appIn = ByteBuffer.allocate(64 * 1024);
    /** Encrypted bytes of one wrap. */
    ByteBuffer netOut = ByteBuffer.allocate(64 * 1024);

    private record Timer(long dueNanos, long seq, Runnable action) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(dueNanos, o.dueNanos);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    EventLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code action} on the loop thread after {@code delayMillis}; call from the loop thread. */
    void schedule(long delayMillis, Runnable action) {
        timers.add(new Timer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), timerSeq++, action));
    }

    private void run() {
        while (!stopped) {
            try {
                long wait = 0;
                Timer next = timers.peek();
                if (tasks.isEmpty()) {
                    wait = next == null ? 1000 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(next.dueNanos - System.nanoTime()));
                }
                if (wait > 0) {
                    selector.select(wait);
                } else {
                    selector.selectNow();
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    ((BenchClient) key.attachment()).onReady(key);
                }
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                long now = System.nanoTime();
                while ((next = timers.peek()) != null && next.dueNanos - now <= 0) {
                    timers.poll().action.run();
                }
            } catch (IOException | RuntimeException e) {
                // one client's bug must not stop the loop and the others with it
                System.err.println("kaiku bench: event loop: " + e);
            }
        }
        // whatever its session did not close (a client stuck writing), the loop closes
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        selector.wakeup();
        try {
            thread.join(5000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
