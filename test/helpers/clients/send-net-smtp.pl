# Sends one message with Perl's Net::SMTP (core libnet, TLS through IO::Socket::SSL), configured from
# MP_* variables, and dies as an application does, with Net::SMTP's message; MP_DEBUG=0 turns off
# its transcript (Debug => 1, on by default: what its documentation says to try first).
use strict;
use warnings;
use Net::SMTP;

my %env = %ENV;
my ($host, $port, $tls) = @env{qw(MP_HOST MP_PORT MP_TLS)};
my %ssl = $env{MP_CA} ? (SSL_ca_file => $env{MP_CA}) : ();
my $from = $env{MP_FROM} // 'alice@example.com';
my $to = $env{MP_TO} // 'bob@example.com';
my $smtp = Net::SMTP->new(
  $host,
  Port => $port,
  Hello => 'client.example',
  Timeout => $env{MP_TIMEOUT} // 2,
  Debug => $env{MP_DEBUG} // 1,
  SSL => $tls eq 'implicit',
  %ssl,
) or die "Cannot connect to $host:$port: $@";
if ($tls eq 'starttls') {
  $smtp->starttls(%ssl) or die 'STARTTLS failed: ' . ($IO::Socket::SSL::SSL_ERROR || $smtp->message);
}
if (defined $env{MP_USER}) {
  $smtp->auth($env{MP_USER}, $env{MP_PASS} // '') or die 'AUTH failed: ' . $smtp->message;
}
$smtp->mail($from) or die 'MAIL FROM failed: ' . $smtp->message;
$smtp->to($to) or die 'RCPT TO failed: ' . $smtp->message;
my $body = "From: $from\r\nTo: $to\r\nSubject: test\r\n\r\n" . ('x' x ($env{MP_BODY_BYTES} // 10)) . "\r\n";
$smtp->data($body) or die 'DATA failed: ' . $smtp->message;
$smtp->quit;
print "sent\n";
