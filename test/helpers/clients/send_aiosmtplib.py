# Sends one message with aiosmtplib (asyncio; behind FastAPI-Mail), configured from MP_* variables;
# the exception is left uncaught, so the output is what an application's log shows.
import asyncio
import os
import ssl
from email.message import EmailMessage

import aiosmtplib


async def main():
    env = os.environ
    message = EmailMessage()
    message['From'] = env.get('MP_FROM', 'alice@example.com')
    message['To'] = env.get('MP_TO', 'bob@example.com')
    message['Subject'] = 'test'
    message.set_content('x' * int(env.get('MP_BODY_BYTES', '10')))
    options = dict(hostname=env['MP_HOST'], port=int(env['MP_PORT']), timeout=float(env.get('MP_TIMEOUT', '2')))
    if env.get('MP_CA'):
        options['tls_context'] = ssl.create_default_context(cafile=env['MP_CA'])
    options['use_tls'] = env['MP_TLS'] == 'implicit'
    options['start_tls'] = env['MP_TLS'] == 'starttls'
    if env.get('MP_USER'):
        options['username'] = env['MP_USER']
        options['password'] = env.get('MP_PASS', '')
    await aiosmtplib.send(message, **options)
    print('sent')


asyncio.run(main())
