# A private Apache httpd for mod_cwiki: its own ServerRoot in a temporary
# directory, a generated httpd.conf that loads the module through the
# project's conf/cwiki.load and conf/cwiki.conf, a free loopback port, and
# only the modules the wiki needs.  Used by `make run`, the integration tests
# and the benchmarks.  The server is stopped, and its directory removed, when
# the object goes away, also when a test dies.
package Cwiki::Httpd;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

our $REPO = abs_path(dirname(__FILE__) . '/../../..');

sub new {
    my ($class, %o) = @_;
    my $self = bless {
        root       => $o{root} // die("root is required\n"),
        port       => $o{port},
        module     => $o{module} // $ENV{CWIKI_MODULE} // "$REPO/build/mod_cwiki.so",
        mpm        => $o{mpm} // $ENV{CWIKI_MPM} // 'event',
        extra      => $o{extra} // '',
        foreground => $o{foreground} // 0,
        htdocs     => $o{htdocs},
        pid        => undef,
    }, $class;
    $self->{root} = abs_path($self->{root}) // $self->{root};
    die "no module at $self->{module}; run make first\n" unless -f $self->{module};
    $self->{dir} = tempdir('cwiki-httpd-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    chmod 0755, $self->{dir};
    make_path(map { "$self->{dir}/$_" } qw(conf logs run htdocs share));
    chmod 0755, map { "$self->{dir}/$_" } qw(htdocs share);
    # What the module ships (the file the Alias lines point at, the skins),
    # copied where httpd's workers can read it whatever the checkout's modes.
    system('cp', '-R', "$REPO/share/bin", "$REPO/share/templates", "$self->{dir}/share/") == 0
      or die "cannot copy share/ for httpd\n";
    system('chmod', '-R', 'a+rX', "$self->{dir}/share");
    return $self;
}

sub dir  { $_[0]{dir} }
sub port { $_[0]{port} }
sub root { $_[0]{root} }
sub base { "http://127.0.0.1:$_[0]{port}" }
sub url  { $_[0]->base . ($_[1] // '/') }
sub error_log_file { "$_[0]{dir}/logs/error.log" }

sub error_log {
    my $self = shift;
    open(my $fh, '<', $self->error_log_file) or return '';
    local $/;
    return <$fh>;
}

sub _copy {
    my ($from, $to) = @_;
    open(my $in, '<:raw', $from) or die "$from: $!\n";
    open(my $out, '>:raw', $to) or die "$to: $!\n";
    local $/;
    print {$out} <$in>;
    close $out or die "$to: $!\n";
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
                                  Listen => 1, ReuseAddr => 1) or die "no free port: $!\n";
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub modules_dir {
    my $d = `apxs -q LIBEXECDIR 2>/dev/null`;
    chomp $d;
    return $d || '/usr/lib/apache2/modules';
}

sub config_text {
    my ($self) = @_;
    my $d = $self->{dir};
    my $mods = modules_dir();
    my $as_root = $> == 0;
    my $types = -f '/etc/mime.types' ? 'TypesConfig /etc/mime.types' : '';
    my $user = $as_root ? "User nobody\nGroup nogroup" : '';
    my $log = $self->{foreground}
      ? qq{ErrorLog /dev/stderr\nLogFormat "%h \\"%r\\" %>s %b %Dus" brief\nCustomLog /dev/stdout brief}
      : qq{ErrorLog "$d/logs/error.log"};
    my $htdocs = $self->{htdocs} // "$d/htdocs";
    return <<"CONF";
# Generated for a private mod_cwiki instance; removed when it stops.
ServerRoot "$d"
PidFile "$d/run/httpd.pid"
DefaultRuntimeDir "$d/run"
Mutex file:$d/run default
Listen 127.0.0.1:$self->{port}
ServerName 127.0.0.1
$user
$log
LogLevel warn cwiki:info

LoadModule mpm_$self->{mpm}_module $mods/mod_mpm_$self->{mpm}.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule alias_module $mods/mod_alias.so
LoadModule setenvif_module $mods/mod_setenvif.so
LoadModule mime_module $mods/mod_mime.so
$types

<Directory />
    AllowOverride None
    Require all denied
</Directory>
DocumentRoot "$htdocs"
<Directory "$htdocs">
    Require all granted
</Directory>

# The site, and the module's own files, for cwiki.conf.
Define CWIKI_ROOT "$self->{root}"
Define CWIKI_SHARE "$d/share"
Define CWIKI_MODULE "$self->{module}"
Include "$REPO/conf/cwiki.load"
Include "$REPO/conf/cwiki.conf"

$self->{extra}
CONF
}

sub write_config {
    my ($self) = @_;
    $self->{port} //= free_port();
    my $conf = "$self->{dir}/conf/httpd.conf";
    open(my $fh, '>', $conf) or die "$conf: $!\n";
    print $fh $self->config_text;
    close $fh;
    return $conf;
}

# Runs `apache2 -t` on the generated configuration; returns (exit code, output).
sub configtest {
    my ($self) = @_;
    my $conf = $self->write_config;
    my $out = `/usr/sbin/apache2 -t -f '$conf' 2>&1`;
    return ($? >> 8, $out);
}

sub _can_connect {
    my $port = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp',
                                  Timeout => 1);
    return 0 unless $s;
    close $s;
    return 1;
}

# Starts httpd in the background and waits until it accepts connections.
sub start {
    my ($self) = @_;
    $self->_check_readable if $> == 0;
    for my $attempt (1 .. 3) {
        my $conf = $self->write_config;
        my $pid = fork() // die "fork: $!\n";
        if ($pid == 0) {
            # A process group of its own: at shutdown the prefork MPM signals
            # its whole group, which must not include this process.
            setpgrp(0, 0);
            unless ($self->{foreground}) {
                open(STDOUT, '>>', "$self->{dir}/logs/stdout.log");
                open(STDERR, '>>', "$self->{dir}/logs/stderr.log");
            }
            exec('/usr/sbin/apache2', '-f', $conf, '-DFOREGROUND') or POSIX::_exit(127);
        }
        $self->{pid} = $pid;
        my $deadline = time + 15;
        while (time < $deadline) {
            return $self if $self->{stopping} || _can_connect($self->{port});
            if (waitpid($pid, WNOHANG) == $pid) {
                $self->{pid} = undef;
                last;
            }
            sleep 0.05;
        }
        my $why = $self->error_log . $self->_stderr;
        $self->stop;
        if ($why =~ /Address already in use|could not bind/ && $attempt < 3) {
            $self->{port} = undef;    # another process took the port: try another
            next;
        }
        die "httpd did not start:\n$why\n";
    }
}

sub _stderr {
    my $self = shift;
    open(my $fh, '<', "$self->{dir}/logs/stderr.log") or return '';
    local $/;
    return <$fh>;
}

# httpd's workers run as nobody when started by root: they must be able to read the site.
sub _check_readable {
    my ($self) = @_;
    my $pid = fork() // die "fork: $!\n";
    if ($pid == 0) {
        my ($uid, $gid) = (getpwnam('nobody'))[2, 3];
        POSIX::setgid($gid);
        POSIX::setuid($uid);
        POSIX::_exit((-r "$self->{root}/data" && -x "$self->{root}/data") ? 0 : 1);
    }
    waitpid($pid, 0);
    die "The user nobody, which httpd's workers run as, cannot read $self->{root}/data.\n"
      . "Make the site (and the directories above it) readable, or choose another CWIKI_ROOT.\n"
      if $?;
}

# Runs httpd in the foreground until it exits or this process gets SIGINT/SIGTERM.
sub run_foreground {
    my ($self) = @_;
    $self->{foreground} = 1;
    local $SIG{INT}  = sub { $self->{stopping} = 1; $self->stop; };
    local $SIG{TERM} = sub { $self->{stopping} = 1; $self->stop; };
    $self->start;
    return $self->cleanup if $self->{stopping};
    print "mod_cwiki is serving $self->{root}\n",
      "  http://127.0.0.1:$self->{port}/foswiki/\n", "Press Ctrl-C to stop.\n";
    while ($self->{pid}) {
        my $pid = $self->{pid};
        my $r = waitpid($pid, 0);
        if ($r == $pid && $self->{pid}) {
            my $status = $?;
            $self->{pid} = undef;
            die "httpd exited unexpectedly (status $status)\n" unless $self->{stopping};
        }
    }
    $self->cleanup;
}

sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} or return;
    kill 'TERM', $pid;
    my $deadline = time + 10;
    while (time < $deadline) {
        my $r = waitpid($pid, WNOHANG);
        if ($r == $pid || $r == -1) {
            $self->{pid} = undef;
            return;
        }
        sleep 0.05;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    $self->{pid} = undef;
}

# Fatal signals and crashes of workers that httpd reported in its error log.
sub crashes {
    my ($self) = @_;
    return grep { /Segmentation fault|exit signal|AddressSanitizer|runtime error:|terminate called/ }
      split /\n/, $self->error_log;
}

sub cleanup {
    my ($self) = @_;
    $self->stop;
    remove_tree($self->{dir}) if $self->{dir} && -d $self->{dir} && !$ENV{CWIKI_KEEP};
}

sub DESTROY {
    my $self = shift;
    local ($?, $@);
    $self->cleanup;
}

1;
