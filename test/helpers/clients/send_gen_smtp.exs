# Sends one message the way an Elixir application does through Swoosh's SMTP adapter (and Bamboo's):
# with gen_smtp's client, configured from MP_* variables, and logs the failure as Phoenix
# applications do (`Failed to send email: ...`), after whatever OTP's ssl logged on its way.
#
# gen_smtp comes from hex.pm, which this machine (and CI) cannot reach, so this is its client session
# (gen_smtp 1.2, src/gen_smtp_client.erl) step for step: the same :gen_tcp and :ssl calls with the
# same options, the same replies read the same way, the same terms thrown, and the same retry, so
# the error term and the ssl log lines are what a Swoosh application prints. One deviation: replies
# are awaited MP_TIMEOUT seconds instead of gen_smtp's 20 minutes (the same term, sooner).
require Logger

defmodule GenSmtpSession do
  @auth_preference ["CRAM-MD5", "LOGIN", "PLAIN", "XOAUTH2"]

  # send_blocking/2 as Swoosh.Adapters.SMTP calls it, and the {:error, {type, message}} it returns.
  def deliver(email, options) do
    case try_smtp_sessions(email, Keyword.fetch!(options, :relay), options, options[:retries]) do
      {:error, type, message} -> {:error, {type, message}}
      receipt -> {:ok, receipt}
    end
  end

  # try_smtp_sessions/handle_smtp_throw/try_next_host: a permanent failure ends at once; any other
  # is retried `retries` times; tls_failed with `tls: :if_available` is retried without TLS first.
  defp try_smtp_sessions(email, host, options, retries_left) do
    smtp_session(email, host, options)
  catch
    :throw, {:permanent_failure, message} ->
      {:error, :no_more_hosts, {:permanent_failure, host, message}}

    :throw, {:temporary_failure, :tls_failed} = failure ->
      if options[:tls] == :if_available do
        try_smtp_sessions(email, host, Keyword.put(options, :tls, :never), retries_left)
      else
        next_host(failure, email, host, options, retries_left)
      end

    :throw, failure ->
      next_host(failure, email, host, options, retries_left)
  end

  defp next_host({type, message}, _email, host, _options, 0),
    do: {:error, :retries_exceeded, {type, host, message}}

  defp next_host(_failure, email, host, options, retries_left),
    do: try_smtp_sessions(email, host, options, retries_left - 1)

  defp smtp_session({from, to, body}, host, options) do
    socket = connect(host, options)
    extensions = ehlo(socket, options)
    {socket, extensions} = starttls(socket, options, extensions)
    auth(socket, options, List.keyfind(extensions, "AUTH", 0))
    command(socket, "MAIL FROM: <#{from}>", ["250"])
    Enum.each(to, &command(socket, "RCPT TO: <#{&1}>", ["250", "251"]))
    receipt = data(socket, body)
    quit(socket)
    receipt
  end

  defp connect(host, options) do
    socket_options = [:binary, packet: :line, keepalive: true, active: false]

    result =
      if options[:ssl] do
        :ssl.connect(
          host,
          options[:port],
          ssl_options(socket_options, options),
          options[:timeout]
        )
      else
        :gen_tcp.connect(host, options[:port], socket_options, options[:timeout])
      end

    case result do
      {:ok, socket} ->
        case read_reply(socket) do
          "220" <> _ -> socket
          "4" <> _ = message -> fail(socket, {:temporary_failure, message})
          message -> fail(socket, {:permanent_failure, message})
        end

      {:error, reason} ->
        throw({:network_failure, {:error, reason}})
    end
  end

  defp ehlo(socket, options) do
    send_line(socket, "EHLO #{options[:hostname]}")

    case read_reply(socket) do
      "500" <> _ -> helo(socket, options)
      "4" <> _ = message -> fail(socket, {:temporary_failure, message})
      reply -> parse_extensions(reply)
    end
  end

  defp helo(socket, options) do
    send_line(socket, "HELO #{options[:hostname]}")

    case read_reply(socket) do
      "250" <> _ -> []
      "4" <> _ = message -> fail(socket, {:temporary_failure, message})
      message -> fail(socket, {:permanent_failure, message})
    end
  end

  defp starttls(socket, options, extensions) do
    offered = List.keymember?(extensions, "STARTTLS", 0)

    case {options[:tls], offered} do
      {tls, true} when tls in [:always, :if_available] ->
        case {upgrade(socket, options), tls} do
          {false, :always} -> fail(socket, {:temporary_failure, :tls_failed})
          {false, :if_available} -> {socket, extensions}
          {upgraded, _} -> upgraded
        end

      {:always, false} ->
        fail(socket, {:missing_requirement, :tls})

      _ ->
        {socket, extensions}
    end
  end

  # do_STARTTLS: only a crash or a closed socket is logged; any other failure is silent.
  defp upgrade(socket, options) do
    send_line(socket, "STARTTLS")

    case read_reply(socket) do
      "220" <> _ ->
        case catch_exit(fn -> :ssl.connect(socket, ssl_options([:binary], options), 5000) end) do
          {:ok, tls_socket} ->
            {tls_socket, ehlo(tls_socket, options)}

          {:EXIT, reason} ->
            Logger.error("Error in ssl upgrade: #{inspect(reason)}.")
            fail(socket, {:temporary_failure, :tls_failed})

          {:error, :closed} ->
            Logger.error("Error in ssl upgrade: socket closed.")
            fail(socket, {:temporary_failure, :tls_failed})

          _else ->
            false
        end

      "4" <> _ = message ->
        fail(socket, {:temporary_failure, message})

      message ->
        fail(socket, {:permanent_failure, message})
    end
  end

  # smtp_socket's ssl_connect_options: its defaults (depth 0: no intermediate CA) under the user's.
  defp ssl_options(socket_options, options) do
    socket_options ++
      Keyword.merge([active: false, depth: 0, packet: :line], options[:tls_options])
  end

  defp catch_exit(connect) do
    connect.()
  catch
    :exit, reason -> {:EXIT, reason}
  end

  defp auth(socket, options, nil), do: auth_unavailable(socket, options)

  defp auth(socket, options, {"AUTH", mechanisms}) do
    if options[:username] != nil and options[:password] != nil and options[:auth] != :never do
      offered = mechanisms |> String.split(" ", trim: true) |> Enum.map(&String.upcase/1)
      usable = Enum.filter(@auth_preference, &(&1 in offered))

      cond do
        Enum.any?(usable, &authenticate(socket, options, &1)) -> true
        options[:auth] == :always -> fail(socket, {:permanent_failure, :auth_failed})
        true -> false
      end
    else
      auth_unavailable(socket, options)
    end
  end

  defp auth_unavailable(socket, options) do
    if options[:auth] == :always, do: fail(socket, {:missing_requirement, :auth}), else: false
  end

  defp authenticate(socket, options, "LOGIN") do
    send_line(socket, "AUTH LOGIN")

    with reply when reply in ["334 VXNlcm5hbWU6\r\n", "334 dXNlcm5hbWU6\r\n"] <-
           read_reply(socket),
         :ok <- send_line(socket, Base.encode64(options[:username])),
         reply when reply in ["334 UGFzc3dvcmQ6\r\n", "334 cGFzc3dvcmQ6\r\n"] <-
           read_reply(socket),
         :ok <- send_line(socket, Base.encode64(options[:password])),
         "235 " <> _ <- read_reply(socket) do
      true
    else
      _ -> false
    end
  end

  defp authenticate(socket, options, "PLAIN") do
    send_line(
      socket,
      "AUTH PLAIN " <> Base.encode64("\0#{options[:username]}\0#{options[:password]}")
    )

    match?("235" <> _, read_reply(socket))
  end

  # CRAM-MD5 and XOAUTH2 are not offered by the servers these tests run.
  defp authenticate(_socket, _options, _mechanism), do: false

  defp data(socket, body) do
    command(socket, "DATA", ["354"])
    # Dot-stuffing, as gen_smtp does it.
    :ok = send_raw(socket, [String.replace(body, ~r/^\./m, ".."), "\r\n.\r\n"])

    case read_reply(socket) do
      "250 " <> receipt -> receipt
      "4" <> _ = message -> fail(socket, {:temporary_failure, message})
      message -> fail(socket, {:permanent_failure, message})
    end
  end

  defp command(socket, line, accepted) do
    send_line(socket, line)
    reply = read_reply(socket)

    cond do
      String.slice(reply, 0, 3) in accepted -> reply
      String.starts_with?(reply, "4") -> fail(socket, {:temporary_failure, reply})
      true -> fail(socket, {:permanent_failure, reply})
    end
  end

  defp fail(socket, failure) do
    quit(socket)
    throw(failure)
  end

  defp quit(socket) do
    send_line(socket, "QUIT")
    close(socket)
  end

  # read_possible_multiline_reply: a line whose fourth byte is neither "-" nor " " is a case clause
  # error in gen_smtp too.
  defp read_reply(socket) do
    line = recv(socket)

    case binary_part(line, 3, 1) do
      "-" -> read_multiline(socket, binary_part(line, 0, 3), [line])
      " " -> line
    end
  end

  defp read_multiline(socket, code, lines) do
    line = recv(socket)

    case {binary_part(line, 0, 3), binary_part(line, 3, 1)} do
      {^code, " "} -> IO.iodata_to_binary(Enum.reverse([line | lines]))
      {^code, "-"} -> read_multiline(socket, code, [line | lines])
      _ -> fail(socket, {:unexpected_response, Enum.reverse([line | lines])})
    end
  end

  defp recv(socket) do
    timeout = Process.get(:read_timeout)

    result =
      if is_port(socket),
        do: :gen_tcp.recv(socket, 0, timeout),
        else: :ssl.recv(socket, 0, timeout)

    case result do
      {:ok, line} -> line
      error -> throw({:network_failure, error})
    end
  end

  defp send_line(socket, line), do: send_raw(socket, [line, "\r\n"])
  defp send_raw(socket, data) when is_port(socket), do: :gen_tcp.send(socket, data)
  defp send_raw(socket, data), do: :ssl.send(socket, data)
  defp close(socket) when is_port(socket), do: :gen_tcp.close(socket)
  defp close(socket), do: :ssl.close(socket)

  defp parse_extensions(reply) do
    [_greeting | lines] = String.split(reply, "\r\n", trim: true)

    Enum.flat_map(lines, fn line ->
      case String.split(binary_part(line, 4, byte_size(line) - 4), " ", parts: 2) do
        [verb, parameters] -> [{String.upcase(verb), parameters}]
        [verb] -> if String.contains?(verb, "="), do: [], else: [{String.upcase(verb), true}]
      end
    end)
  end
end

# gen_smtp's application depends on :ssl, so a release starts it before any mail is sent.
{:ok, _} = Application.ensure_all_started(:ssl)
env = System.get_env()
timeout = String.to_integer(Map.get(env, "MP_TIMEOUT", "2")) * 1000
Process.put(:read_timeout, timeout)
from = Map.get(env, "MP_FROM", "alice@example.com")
to = Map.get(env, "MP_TO", "bob@example.com")
subject = Map.get(env, "MP_SUBJECT", "test")

body =
  "From: #{from}\r\nTo: #{to}\r\nSubject: #{subject}\r\n\r\n" <>
    String.duplicate("x", String.to_integer(Map.get(env, "MP_BODY_BYTES", "10")))

settings =
  case env["MP_CONFIG"] do
    # A config file as `mailport doctor` prints it (`config :my_app, MyApp.Mailer, …`), read as an
    # application reads config/runtime.exs, and the mailer's settings as Swoosh's SMTP adapter hands
    # them to gen_smtp: unset (nil) ones left out, strings of atoms and numbers converted.
    path when is_binary(path) ->
      [{_app, [{_mailer, mailer} | _]} | _] = Config.Reader.read!(path)

      for {key, value} <- Keyword.delete(mailer, :adapter), value != nil do
        case {key, value} do
          {key, value} when key in [:tls, :auth] and is_binary(value) ->
            {key, String.to_atom(value)}

          {:port, value} when is_binary(value) ->
            {:port, String.to_integer(value)}

          {:relay, value} ->
            {:relay, String.to_charlist(value)}

          other ->
            other
        end
      end

    # Otherwise the MP_* settings, as gen_smtp's README writes them since OTP 26 made clients verify
    # certificates: the system's CAs (:public_key.cacerts_get/0), or MP_CA's; SNI for a host name.
    nil ->
      host = String.to_charlist(Map.fetch!(env, "MP_HOST"))

      trust =
        if ca = env["MP_CA"],
          do: [cacertfile: String.to_charlist(ca)],
          else: [cacerts: :public_key.cacerts_get()]

      sni =
        if match?({:ok, _}, :inet.parse_address(host)),
          do: [],
          else: [server_name_indication: host]

      tls_options = [tls_options: [verify: :verify_peer, depth: 99] ++ trust ++ sni]

      {ssl, tls} =
        case Map.fetch!(env, "MP_TLS") do
          "implicit" -> {true, :never}
          "starttls" -> {false, :always}
          _ -> {false, :never}
        end

      user =
        if env["MP_USER"],
          do: [auth: :always, username: env["MP_USER"], password: Map.get(env, "MP_PASS", "")],
          else: []

      [
        relay: host,
        port: String.to_integer(Map.fetch!(env, "MP_PORT")),
        ssl: ssl,
        tls: tls,
        timeout: timeout
      ] ++ tls_options ++ user
  end

# gen_smtp's DEFAULT_OPTIONS, under the application's.
defaults = [
  ssl: false,
  tls: :if_available,
  tls_options: [versions: [:tlsv1, :"tlsv1.1", :"tlsv1.2"]],
  auth: :if_available,
  hostname: ~c"client.example",
  retries: 1,
  timeout: 5000
]

options = Keyword.merge(defaults, settings)

# check_options: `auth: :always` needs a user name and a password before anything is dialled.
result =
  if options[:auth] == :always and (options[:username] == nil or options[:password] == nil) do
    {:error, :no_credentials}
  else
    GenSmtpSession.deliver({from, [to], body}, options)
  end

case result do
  {:ok, _receipt} ->
    IO.puts("sent")

  {:error, reason} ->
    Logger.error("Failed to send email: #{inspect(reason)}")
    Logger.flush()
    System.halt(1)
end
