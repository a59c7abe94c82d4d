<?php
// Sends one message with Symfony Mailer (the mailer behind Laravel 9+), configured from MP_*
// variables the way Laravel builds its transport; the exception is left uncaught.
require '/usr/share/php/Symfony/Component/Mailer/autoload.php';

use Symfony\Component\Mailer\Mailer;
use Symfony\Component\Mailer\Transport;
use Symfony\Component\Mime\Email;

$scheme = getenv('MP_TLS') === 'implicit' ? 'smtps' : 'smtp';
$login = getenv('MP_USER') ? rawurlencode(getenv('MP_USER')) . ':' . rawurlencode((string) getenv('MP_PASS')) . '@' : '';
$transport = Transport::fromDsn(sprintf('%s://%s%s:%d', $scheme, $login, getenv('MP_HOST'), (int) getenv('MP_PORT')));
$stream = $transport->getStream();
$stream->setTimeout((float) (getenv('MP_TIMEOUT') ?: 2));
if (getenv('MP_CA')) {
    $stream->setStreamOptions(['ssl' => ['cafile' => getenv('MP_CA')]]);
}
$email = (new Email())
    ->from(getenv('MP_FROM') ?: 'alice@example.com')
    ->to(getenv('MP_TO') ?: 'bob@example.com')
    ->subject('test')
    ->text(str_repeat('x', (int) (getenv('MP_BODY_BYTES') ?: 10)));
(new Mailer($transport))->send($email);
echo "sent\n";
