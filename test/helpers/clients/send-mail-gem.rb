# Sends one message with the Ruby `mail` gem (Debian's ruby-mail; Rails' ActionMailer delivers
# through it), configured from MP_* variables the way smtp_settings are; errors are left uncaught.
require 'mail'

env = ENV
tls = env.fetch('MP_TLS')
timeout = Integer(env.fetch('MP_TIMEOUT', '2'))
settings = {
  address: env.fetch('MP_HOST'),
  port: Integer(env.fetch('MP_PORT')),
  domain: 'client.example',
  open_timeout: timeout,
  read_timeout: timeout,
  enable_starttls: tls == 'starttls',
  tls: tls == 'implicit',
  ca_file: env['MP_CA'],
  openssl_verify_mode: 'peer'
}
if env['MP_USER']
  settings.merge!(user_name: env['MP_USER'], password: env['MP_PASS'], authentication: 'plain')
end
mail = Mail.new do
  from env.fetch('MP_FROM', 'alice@example.com')
  to env.fetch('MP_TO', 'bob@example.com')
  subject 'test'
  body 'hello'
end
mail.delivery_method :smtp, settings
mail.deliver!
puts 'sent'
