<?php
// Sends one message with PHPMailer, configured from MP_* variables, and reports the way
// PHPMailer's own README example does (MP_REPORT=exception: the exception's message instead).
require '/usr/share/php/libphp-phpmailer/autoload.php';

use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\SMTP;

$mail = new PHPMailer(true);
// MP_LANG: PHPMailer prints its own messages in that language (`de`, `pt_br`, ...).
$mail->setLanguage(getenv('MP_LANG') ?: 'en');
try {
    $mail->SMTPDebug = getenv('MP_DEBUG') !== false ? (int) getenv('MP_DEBUG') : SMTP::DEBUG_SERVER;
    $mail->isSMTP();
    $mail->Host = getenv('MP_HOST');
    $mail->Port = (int) getenv('MP_PORT');
    $mail->Timeout = (int) (getenv('MP_TIMEOUT') ?: 2);
    $mail->getSMTPInstance()->Timelimit = $mail->Timeout;
    $tls = getenv('MP_TLS');
    $mail->SMTPSecure = $tls === 'implicit' ? PHPMailer::ENCRYPTION_SMTPS : ($tls === 'starttls' ? PHPMailer::ENCRYPTION_STARTTLS : '');
    $mail->SMTPAutoTLS = $tls !== 'none';
    if (getenv('MP_CA')) {
        $mail->SMTPOptions = ['ssl' => ['cafile' => getenv('MP_CA')]];
    }
    if (getenv('MP_USER')) {
        $mail->SMTPAuth = true;
        $mail->Username = getenv('MP_USER');
        $mail->Password = getenv('MP_PASS');
    }
    $mail->setFrom(getenv('MP_FROM') ?: 'alice@example.com');
    $mail->addAddress(getenv('MP_TO') ?: 'bob@example.com');
    $mail->Subject = 'test';
    $mail->Body = str_repeat('x', (int) (getenv('MP_BODY_BYTES') ?: 10));
    $mail->send();
    echo "Message has been sent\n";
} catch (Exception $e) {
    echo getenv('MP_REPORT') === 'exception'
        ? "{$e->getMessage()}\n"
        : "Message could not be sent. Mailer Error: {$mail->ErrorInfo}\n";
}
