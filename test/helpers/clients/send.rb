# Sends one message with Ruby's Net::SMTP, configured from MP_* variables; errors are left uncaught,
# so the output is what an application's log shows.
require 'net/smtp'
require 'openssl'

env = ENV
ctx = OpenSSL::SSL::SSLContext.new
ctx.set_params(verify_mode: OpenSSL::SSL::VERIFY_PEER)
ctx.cert_store = OpenSSL::X509::Store.new.tap { |s| s.add_file(env['MP_CA']) } if env['MP_CA']
smtp = Net::SMTP.new(env.fetch('MP_HOST'), Integer(env.fetch('MP_PORT')))
timeout = Integer(env.fetch('MP_TIMEOUT', '2'))
smtp.open_timeout = timeout
smtp.read_timeout = timeout
case env.fetch('MP_TLS')
when 'implicit' then smtp.enable_tls(ctx)
when 'starttls' then smtp.enable_starttls(ctx)
else smtp.disable_starttls
end
from = env.fetch('MP_FROM', 'alice@example.com')
to = env.fetch('MP_TO', 'bob@example.com')
body = "From: #{from}\r\nTo: #{to}\r\nSubject: test\r\n\r\n" + ('x' * Integer(env.fetch('MP_BODY_BYTES', '10')))
user = env['MP_USER']
smtp.start('client.example', user, env['MP_PASS'], user ? :plain : nil) do |session|
  session.send_message(body, from, to)
end
puts 'sent'
