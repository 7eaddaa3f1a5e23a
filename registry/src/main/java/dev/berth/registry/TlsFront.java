package dev.berth.registry;

import dev.berth.errors.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * Terminates TLS in front of the plain HTTP server: accepts TLS on the public address and relays
 * each connection's bytes to the HTTP server's private unix socket. The HTTP module speaks to
 * plain channels only; relaying keeps TLS out of it at the cost of one in-memory copy per byte
 * (small next to the TLS record processing itself).
 */
final class TlsFront implements AutoCloseable {
  private final SSLServerSocket listener;
  private final Path backend;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closing;

  private TlsFront(SSLServerSocket listener, Path backend) {
    this.listener = listener;
    this.backend = backend;
    this.acceptor = Thread.ofVirtual().name("berth-registry-tls-accept").start(this::acceptLoop);
  }

  static TlsFront start(InetSocketAddress address, RegistryConfig.Tls tls, Path backend) throws IOException {
    SSLContext ctx = context(tls.certificate(), tls.key());
    var ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
    ss.setReuseAddress(true);
    ss.bind(address, 1024);
    ss.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    return new TlsFront(ss, backend);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** An SSLContext serving the PEM certificate chain and PEM PKCS#8 private key (RSA or EC). */
  static SSLContext context(Path certFile, Path keyFile) {
    try {
      var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)));
      if (certs.isEmpty()) {
        throw new InvalidArgumentException("TLS certificate " + certFile + " holds no PEM certificate");
      }
      PrivateKey key = privateKey(keyFile);
      var ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("registry", key, new char[0], certs.toArray(new Certificate[0]));
      var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (IOException e) {
      throw new UncheckedIOException("reading TLS certificate or key: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new InvalidArgumentException("loading TLS certificate " + certFile + " and key " + keyFile + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int at = pem.indexOf(begin);
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (at < 0 || end < 0) {
      throw new InvalidArgumentException("TLS key " + file
          + ": want a PEM PKCS#8 key (BEGIN PRIVATE KEY); convert with: openssl pkcs8 -topk8 -nocrypt -in KEY");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.substring(at + begin.length(), end));
    var spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new InvalidArgumentException("TLS key " + file + ": not an RSA, EC or Ed25519 PKCS#8 key");
  }

  private void acceptLoop() {
    while (!closing) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closing) {
          return;
        }
        continue;
      }
      open.add(client);
      Thread.ofVirtual().start(() -> relay((SSLSocket) client));
    }
  }

  private void relay(SSLSocket client) {
    try (client; SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(backend))) {
      client.startHandshake();
      InputStream upIn = Channels.newInputStream(upstream);
      OutputStream upOut = Channels.newOutputStream(upstream);
      Thread back = Thread.ofVirtual().start(() -> {
        try {
          pump(upIn, client.getOutputStream());
        } catch (IOException ignored) {
          // either side closed
        } finally {
          try {
            client.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      });
      try {
        pump(client.getInputStream(), upOut);
        upstream.shutdownOutput();
      } catch (IOException ignored) {
        // client closed or handshake failed
      }
      back.join();
    } catch (IOException | InterruptedException ignored) {
      // a failed handshake or a closed peer: nothing to answer
    } finally {
      open.remove(client);
    }
  }

  private static void pump(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.write(buf, 0, n);
      out.flush();
    }
  }

  @Override
  public void close() {
    closing = true;
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      acceptor.join(java.time.Duration.ofSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the relayed connections still open (after the HTTP server's grace period). */
  void closeConnections() {
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
