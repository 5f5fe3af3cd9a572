#!/usr/bin/perl
# Verdicts of JSON::Validator (Debian's libjson-validator-perl) on the schemas' corpus and on questions.
#
#   verdicts.pl corpus CORPUS.json...   run golden corpus files (JSON-Schema-Test-Suite format); exit 1 on a wrong verdict
#   verdicts.pl serve SCHEMA_DIR        load SCHEMA_DIR/bundled/<profile>/<variant>.json, print "ready N", then answer
#                                       one JSON line {"schema": "<profile>/<variant>", "data": ...} per line: true,
#                                       false or "error <message>"
#   verdicts.pl sources DRAFT07.json SCHEMA_DIR
#                                       load every schema file of SCHEMA_DIR (schemas/, or what notify-schemas schemas
#                                       export writes), each checked against draft-07's meta-schema (DRAFT07.json:
#                                       Debian's JSON::Validator holds none and would fetch it), every $ref resolved
#                                       among the files with the network refused, and judge the corpus through the
#                                       source variants; exit 1 on a failure
#
# JSON::Validator 5.14 reads a number's type from its Perl scalar: a float with an integral value (1.0, 6.8e+16) is
# not an integer to it, as draft-06 and later say it is, and a decoder that keeps a number's text can make it a
# string. So the data is decoded with JSON::PP (numbers as numbers) and each integral float that Perl can hold as an
# integer becomes one before it is validated. (Beyond that Perl has no integer, and the schemas allow none: D41.)
# JSON::PP keeps a number that no Perl number holds exactly (10**29, 1e400) as its text, a string to JSON::Validator
# (a publisher_id of 10**29 passed): with allow_bignum it is a Math::BigInt or Math::BigFloat instead, which becomes
# the double nearest to it, or stays an object, of no JSON type, when it is past every double.
# Perl consumers of the schemas need the same step.
use strict;
use warnings;
use B ();
use Scalar::Util qw(blessed);
use File::Basename qw(basename dirname);
use JSON::PP ();
use JSON::Validator;
use Mojo::File qw(path);

my $JSON = JSON::PP->new->utf8->allow_nonref->allow_bignum;

sub numbers_as_json_says {
    no warnings 'recursion';    # a task's result may nest as deep as JSON::PP reads (D88)
    my ($node) = @_;
    if (ref $node eq 'HASH') { $node->{$_} = numbers_as_json_says($node->{$_}) for keys %$node; return $node }
    if (ref $node eq 'ARRAY') { $_ = numbers_as_json_says($_) for @$node; return $node }
    if (blessed $node and $node->isa('Math::BigInt') || $node->isa('Math::BigFloat')) {
        my $nearest = $node->numify;
        return $node unless $nearest * 0 == 0;    # an infinity: no number of any other reader either
        $node = $nearest + 0;
    }
    return $node if ref $node or !defined $node;
    my $flags = B::svref_2object(\$node)->FLAGS;
    if (($flags & B::SVp_NOK) && !($flags & B::SVp_POK) && $node == int($node) && $node < 2**64 && $node >= -2**63) {
        return int($node);
    }
    return $node;
}

sub decode_json { numbers_as_json_says($JSON->decode($_[0])) }

$| = 1;

sub compile {
    my ($schema) = @_;
    my $validator = JSON::Validator->new;
    $validator->schema($schema);
    return $validator;
}

sub corpus {
    my ($passed, $failed) = (0, 0);
    for my $file (@_) {
        for my $group (@{ decode_json(path($file)->slurp) }) {
            my $validator = eval { compile($group->{schema}) };
            if (!$validator) {
                print "FAIL $file: $group->{description}: schema does not compile: $@";
                $failed += @{ $group->{tests} };
                next;
            }
            for my $test (@{ $group->{tests} }) {
                my @errors = $validator->validate($test->{data});
                my $valid = @errors ? 0 : 1;
                if ($valid == ($test->{valid} ? 1 : 0)) { $passed++; next }
                $failed++;
                print "FAIL $file: $group->{description}: $test->{description}: expected "
                  . ($test->{valid} ? "true" : "false") . ", @errors\n";
            }
        }
    }
    print "JSON::Validator: $passed passed, $failed failed\n";
    return ($failed == 0 && $passed > 0) ? 0 : 1;
}

sub serve {
    my ($dir) = @_;
    my %validators;
    for my $file (glob("$dir/bundled/*/*.json")) {
        my $name = basename(dirname($file)) . "/" . basename($file, ".json");
        $validators{$name} = compile(decode_json(path($file)->slurp));
    }
    print "ready " . scalar(keys %validators) . "\n";
    while (my $line = <STDIN>) {
        my $answer = eval {
            my $question = decode_json($line);
            my $validator = $validators{ $question->{schema} } or die "unknown schema $question->{schema}\n";
            my @errors = $validator->validate($question->{data});
            @errors ? "false" : "true";
        };
        if (!defined $answer) { ($answer = "error $@") =~ s/\n//g }
        print "$answer\n";
    }
    return 0;
}

sub sources {
    my ($meta, $dir) = @_;
    no warnings 'redefine';
    *Mojo::UserAgent::get = sub { die "offline: would fetch $_[1]\n" };
    my $store = JSON::Validator->new->store;
    $store->add('http://json-schema.org/draft-07/schema' => decode_json(path($meta)->slurp));
    my ($passed, $failed) = (0, 0);
    my %ids;
    for my $file (sort(glob("$dir/*.json"), glob("$dir/{definitions,seed,glance,wire,bundled}/*.json"),
                       glob("$dir/bundled/*/*.json"))) {    # every schema file: not the corpus, not AsyncAPI
        my $schema = decode_json(path($file)->slurp);
        $store->add($schema->{'$id'} => $schema);
        $ids{ substr($file, length($dir) + 1) } = $schema->{'$id'};
    }
    for my $name (sort keys %ids) {
        my $errors = eval { JSON::Validator->new(store => $store)->schema($ids{$name})->schema->errors };
        if (!$errors) { $failed++; print "FAIL $name: does not load offline: $@"; next }
        if (@$errors) { $failed++; print "FAIL $name: not valid under draft-07: @$errors\n"; next }
        $passed++;
    }
    for my $profile (qw(seed glance)) {
        for my $group (@{ decode_json(path("$dir/corpus/$profile.json")->slurp) }) {
            (my $id = $group->{schema}{'$id'}) =~ s{/bundled/}{/};
            my $validator = JSON::Validator->new(store => $store);
            for my $test (@{ $group->{tests} }) {
                my @errors = eval { $validator->schema($id); $validator->validate($test->{data}) };
                @errors = ("does not resolve offline: $@") if $@;
                if ((@errors ? 0 : 1) == ($test->{valid} ? 1 : 0)) { $passed++; next }
                $failed++;
                print "FAIL $group->{description}: $test->{description}: @errors\n";
            }
        }
    }
    print "JSON::Validator sources: $passed passed, $failed failed\n";
    return ($failed == 0 && $passed > 0) ? 0 : 1;
}

my $mode = shift @ARGV // "";
exit corpus(@ARGV) if $mode eq "corpus" && @ARGV;
exit serve(@ARGV) if $mode eq "serve" && @ARGV == 1;
exit sources(@ARGV) if $mode eq "sources" && @ARGV == 2;
print STDERR "usage: verdicts.pl corpus CORPUS.json... | verdicts.pl serve SCHEMA_DIR | verdicts.pl sources DRAFT07.json SCHEMA_DIR\n";
exit 2;
