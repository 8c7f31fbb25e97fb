using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Nerdbank.MessagePack;

namespace Tessera.Distributed.Comm;

/// <summary>
/// The first bytes each end of every connection sends, before any message. Both ends send theirs at
/// once and then read the peer's, so a mismatch is seen, and refused, by both.
/// </summary>
/// <remarks>
/// <para>Layout, frozen for every protocol version so that any two versions can tell each other
/// apart: the four magic bytes <c>89 54 53 52</c> (0x89 then "TSR"), a little-endian uint32 length
/// (at most <see cref="MaxLength"/>), then a MessagePack map with the string keys
/// <c>protocol</c> ("tessera"), <c>version</c> (int), <c>role</c> (string) and <c>auth</c> (nil;
/// reserved for a token). Unknown keys are skipped, so later versions may add keys.</para>
/// </remarks>
internal static class Handshake
{
    public const string ProtocolName = "tessera";
    public const int ProtocolVersion = 1;
    public const int MaxLength = 4096;
    public const int PrefixLength = 8;

    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'T', (byte)'S', (byte)'R'];

    public static byte[] Encode(string protocol, int version, string role)
    {
        var payload = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(payload);
        writer.WriteMapHeader(4);
        writer.Write("protocol");
        writer.Write(protocol);
        writer.Write("version");
        writer.Write(version);
        writer.Write("role");
        writer.Write(role);
        writer.Write("auth");
        writer.WriteNil();
        writer.Flush();

        byte[] frame = new byte[PrefixLength + payload.WrittenCount];
        Magic.CopyTo(frame);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)payload.WrittenCount);
        payload.WrittenSpan.CopyTo(frame.AsSpan(PrefixLength));
        return frame;
    }

    public static bool HasMagic(ReadOnlySpan<byte> first4) => first4.SequenceEqual(Magic);

    /// <summary>Describes bytes that should have been the magic, for an error message.</summary>
    public static string Describe(ReadOnlySpan<byte> bytes)
    {
        var printable = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            printable.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return $"{Convert.ToHexString(bytes)} (\"{printable}\")";
    }

    /// <summary>Reads the peer's map; <see langword="null"/> when it is not a valid handshake.</summary>
    public static (string Protocol, int Version, string Role)? TryDecode(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var reader = new MessagePackReader(payload);
            int count = reader.ReadMapHeader();
            string? protocol = null;
            int? version = null;
            string role = string.Empty;
            for (int i = 0; i < count; i++)
            {
                switch (reader.ReadString())
                {
                    case "protocol":
                        protocol = reader.ReadString();
                        break;
                    case "version":
                        version = reader.ReadInt32();
                        break;
                    case "role":
                        role = reader.ReadString() ?? string.Empty;
                        break;
                    default:
                        reader.Skip(new SerializationContext());
                        break;
                }
            }

            return protocol is null || version is null ? null : (protocol, version.Value, role);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            return null;
        }
    }
}
